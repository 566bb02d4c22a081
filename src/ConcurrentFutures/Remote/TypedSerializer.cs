using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// MessagePack's generic <c>Serialize&lt;T&gt;</c> and <c>Deserialize&lt;T&gt;</c> for a type known only at run
/// time, through a delegate made once per type. MessagePack's own non-generic overloads build and compile eight
/// expression trees per type on first use (all its entry points at once); a fresh worker meeting a record of the app's
/// paid that on every first call with it. A delegate to a generic method needs no compiling for reference types
/// (their shared code serves every one) and one method's for a value type.
/// </summary>
internal static class TypedSerializer
{
    private delegate void WriteValue(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options);

    private delegate object? ReadValue(ref MessagePackReader reader, MessagePackSerializerOptions options);

    /// <summary>
    /// A type's pair of delegates. A class rather than a tuple: a dictionary of tuples is an instantiation no
    /// precompiled image holds, which a new worker compiled (11 methods) for its first record.
    /// </summary>
    private static readonly ConcurrentDictionary<Type, Codec> s_byType = new();

    /// <summary>As <c>MessagePackSerializer.Serialize(type, ref writer, value, options)</c>.</summary>
    public static void Serialize(Type type, ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options) =>
        For(type).Write(ref writer, value, options);

    /// <summary>As <c>MessagePackSerializer.Deserialize(type, ref reader, options)</c>.</summary>
    public static object? Deserialize(Type type, ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        For(type).Read(ref reader, options);

    private static Codec For(Type type) =>
        s_byType.TryGetValue(type, out Codec? found) ? found : s_byType.GetOrAdd(type, Create);

    private static Codec Create(Type type) =>
        new(Method(nameof(WriteTyped), type).CreateDelegate<WriteValue>(), Method(nameof(ReadTyped), type).CreateDelegate<ReadValue>());

    private static MethodInfo Method(string name, Type type) =>
        typeof(TypedSerializer).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);

    /// <summary>
    /// As <c>MessagePackSerializer.Serialize&lt;T&gt;</c> with options that compress nothing (the library's), and the
    /// same exception — without touching <c>MessagePackSerializer</c>, whose static constructor builds MessagePack's
    /// standard resolver: its dynamic resolvers' emitted assembly, LINQ expressions, regular expressions and OpenSSL
    /// (40 ms the first time in a new process here), none of which the library's own resolver needs for your types.
    /// </summary>
    private static void WriteTyped<T>(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
    {
        try
        {
            options.Resolver.GetFormatterWithVerify<T>().Serialize(ref writer, (T)value!, options);
        }
        catch (Exception exception)
        {
            throw new MessagePackSerializationException($"Failed to serialize {typeof(T).FullName} value.", exception);
        }
    }

    /// <summary>As <c>MessagePackSerializer.Deserialize&lt;T&gt;</c>, likewise (see <see cref="WriteTyped{T}"/>).</summary>
    private static object? ReadTyped<T>(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        try
        {
            return options.Resolver.GetFormatterWithVerify<T>().Deserialize(ref reader, options);
        }
        catch (Exception exception)
        {
            throw new MessagePackSerializationException($"Failed to deserialize {typeof(T).FullName} value.", exception);
        }
    }

    private sealed record Codec(WriteValue Write, ReadValue Read);
}
