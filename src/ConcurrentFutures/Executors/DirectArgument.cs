using System.Runtime.CompilerServices;
using MessagePack;

namespace ConcurrentFutures;

/// <summary>
/// An argument of type <typeparamref name="T"/> written without boxing, when <typeparamref name="T"/> is one of the
/// primitives the payload serializer (Remote) writes directly and the parameter is declared as exactly that type: the
/// same MessagePack either way. A submission then allocates no argument array and no box.
/// </summary>
internal static class DirectArgument<T>
{
    private static readonly bool s_direct = typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(bool)
        || typeof(T) == typeof(double) || typeof(T) == typeof(string) || typeof(T) == typeof(byte[]);

    public static bool Matches(Type parameterType) => s_direct && parameterType == typeof(T);

    public static void Write(ref MessagePackWriter writer, T value)
    {
        if (typeof(T) == typeof(int))
        {
            writer.Write(Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(long))
        {
            writer.Write(Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(bool))
        {
            writer.Write(Unsafe.As<T, bool>(ref value));
        }
        else if (typeof(T) == typeof(double))
        {
            writer.Write(Unsafe.As<T, double>(ref value));
        }
        else if (typeof(T) == typeof(string))
        {
            writer.Write(Unsafe.As<T, string?>(ref value));
        }
        else if (typeof(T) == typeof(byte[]))
        {
            writer.Write(Unsafe.As<T, byte[]?>(ref value));
        }
        else
        {
            throw new InvalidOperationException($"{typeof(T)} is not written directly.");
        }
    }
}
