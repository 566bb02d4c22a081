using MessagePack;

namespace ConcurrentFutures;

/// <summary>A single call's arguments, for executors that serialize them.</summary>
internal interface ICallArguments
{
    /// <summary>The arguments in declaration order, boxed.</summary>
    object?[] GetArguments();

    /// <summary>
    /// Whether <see cref="WriteDirectly"/> can write these arguments: each a primitive (int, long, bool, double, string,
    /// byte[]) of exactly its parameter's type, which the serializer writes as it is — then without boxing them.
    /// </summary>
    bool CanWriteDirectly(Type[] parameterTypes) => false;

    /// <summary>Writes the arguments as an array, the same bytes the general path writes (only when <see cref="CanWriteDirectly"/>).</summary>
    void WriteDirectly(ref MessagePackWriter writer) => throw new InvalidOperationException("These arguments are written through GetArguments.");
}
