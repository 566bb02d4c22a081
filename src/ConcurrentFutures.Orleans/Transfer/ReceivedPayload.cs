using System.Buffers;
using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// A large part of a call a client put on the silo's payload port: received straight into an argument slab of the
/// silo's worker pool (<see cref="Slab"/>: the worker reads it from there, the silo never holds a copy), or, when the
/// silo runs work itself or its slabs are busy, into a pooled array (<see cref="Bytes"/>).
/// </summary>
internal readonly record struct ReceivedPayload(PooledPayload? Bytes, PayloadSlab? Slab)
{
    /// <summary>Lets <paramref name="read"/> consume the bytes in place.</summary>
    public T Read<T>(Func<ReadOnlySequence<byte>, T> read) =>
        Slab is { } slab ? slab.Read(read) : read(new ReadOnlySequence<byte>(Bytes!.Memory));

    /// <summary>The bytes as an array of their own.</summary>
    public byte[] ToArray() => Read(static bytes => bytes.ToArray());

    /// <summary>Lets the memory go: the array back to its pool, or the slab free for the next payload.</summary>
    public void Return()
    {
        Bytes?.Return();
        Slab?.Release();
    }
}
