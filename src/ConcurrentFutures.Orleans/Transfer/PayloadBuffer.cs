using System.Buffers;
using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// Where a call's target or arguments are serialized on the client: segments that grow as needed, so a large value is
/// written once (no doubling-and-copying of one contiguous buffer) and sent segment by segment; a small one becomes the
/// grain call's byte array. Segments are rented from <see cref="LargeArrayPool"/> (reused memory: a fresh large array's
/// pages cost more to fault in than the bytes to write) and given back by <see cref="Release"/>, which the
/// dispatcher calls once no call of the task is under way; a buffer never released is simply collected.
/// </summary>
internal sealed class PayloadBuffer : IBufferWriter<byte>
{
    private const int FirstSegment = 4 * 1024;
    private const int LargestSegment = 4 * 1024 * 1024;

    private readonly List<ArraySegment<byte>> _full = [];
    private byte[] _current = LargeArrayPool.Rent(FirstSegment);
    private int _used;
    private bool _released;

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>The written bytes, segment by segment.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments
    {
        get
        {
            ObjectDisposedException.ThrowIf(_released, this);
            foreach (ArraySegment<byte> segment in _full)
            {
                yield return segment;
            }

            if (_used > 0)
            {
                yield return _current.AsMemory(0, _used);
            }
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _current.Length - _used);
        _used += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int start = Reserve(sizeHint); // may replace the current segment
        return _current.AsMemory(start);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        int start = Reserve(sizeHint);
        return _current.AsSpan(start);
    }

    /// <summary>The written bytes as one array (for a payload small enough to travel inside the grain call).</summary>
    public byte[] ToArray()
    {
        if (Length > Array.MaxLength)
        {
            throw new InvalidOperationException($"{Length:N0} bytes do not fit in one array.");
        }

        byte[] all = GC.AllocateUninitializedArray<byte>((int)Length);
        int offset = 0;
        foreach (ReadOnlyMemory<byte> segment in Segments)
        {
            segment.Span.CopyTo(all.AsSpan(offset));
            offset += segment.Length;
        }

        return all;
    }

    /// <summary>Gives the segments back to the pool; the buffer is not used after this.</summary>
    public void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        foreach (ArraySegment<byte> segment in _full)
        {
            LargeArrayPool.Return(segment.Array!);
        }

        LargeArrayPool.Return(_current);
        _full.Clear();
        _current = [];
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> bytes; returns where they start in the current segment.</summary>
    private int Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        int needed = Math.Max(sizeHint, 1);
        if (_current.Length - _used >= needed)
        {
            return _used;
        }

        if (_used > 0)
        {
            _full.Add(new ArraySegment<byte>(_current, 0, _used));
        }
        else
        {
            LargeArrayPool.Return(_current);
        }

        // Segments double up to 4 MB (a value written in many small pieces), or fit one large piece whole.
        int next = (int)Math.Min(Math.Max(Length, FirstSegment), LargestSegment);
        _current = LargeArrayPool.Rent(Math.Max(next, needed));
        _used = 0;
        return 0;
    }
}
