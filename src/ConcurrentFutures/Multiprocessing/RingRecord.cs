namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A record's payload as it goes into a ring: one block, or a short head and a body that follow each other (a large
/// byte array is put as its serialized header and the caller's own array, copied once, into the shared memory).
/// </summary>
internal readonly struct RingRecord(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body = default)
{
    public ReadOnlyMemory<byte> Head { get; } = head;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public int Length => Head.Length + Body.Length;

    /// <summary>The payload as one new array (for a call that waits: the buffers it points to may be reused meanwhile).</summary>
    public byte[] ToArray()
    {
        if (Body.IsEmpty)
        {
            return Head.ToArray();
        }

        byte[] copy = Platform.NativeMethods.NewLargeArray(Length);
        Head.Span.CopyTo(copy);
        Body.Span.CopyTo(copy.AsSpan(Head.Length));
        return copy;
    }
}
