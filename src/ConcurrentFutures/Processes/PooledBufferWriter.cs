using System.Buffers;

namespace ConcurrentFutures.Processes;

/// <summary>
/// A growable buffer whose arrays come from <see cref="LargeArrayPool"/> (a worker's result buffer, the frames a
/// process sends): growing to a large payload reuses an array whose pages are already there instead of doubling
/// through fresh ones, and <see cref="Shrink"/> gives a large array back rather than keeping it for good. Not
/// thread-safe: one writer owns it.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private readonly int _initialCapacity;
    private byte[] _buffer;

    public PooledBufferWriter(int initialCapacity = 1024)
    {
        _initialCapacity = initialCapacity;
        _buffer = LargeArrayPool.Rent(initialCapacity);
    }

    /// <summary>Bytes written since the last <see cref="Reset"/>.</summary>
    public int WrittenCount { get; private set; }

    /// <summary>The length of the current array.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The bytes written, writable in place (a frame's length prefix is patched after its body).</summary>
    public Span<byte> WrittenSpan => _buffer.AsSpan(0, WrittenCount);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, WrittenCount);

    public void Reset() => WrittenCount = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - WrittenCount);
        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(WrittenCount);
    }

    /// <summary>Gives back an array above <paramref name="largestKept"/> bytes (nothing written is kept) and starts small again.</summary>
    public void Shrink(int largestKept)
    {
        if (_buffer.Length > largestKept)
        {
            LargeArrayPool.Return(_buffer);
            _buffer = LargeArrayPool.Rent(_initialCapacity);
            WrittenCount = 0;
        }
    }

    private void Reserve(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - WrittenCount >= needed)
        {
            return;
        }

        long wanted = Math.Max((long)WrittenCount + needed, Math.Min(2L * _buffer.Length, Array.MaxLength));
        if (wanted > Array.MaxLength)
        {
            throw new InsufficientMemoryException($"A result of more than {Array.MaxLength:N0} bytes serialized does not fit in one buffer.");
        }

        byte[] larger = LargeArrayPool.Rent((int)wanted);
        WrittenSpan.CopyTo(larger);
        LargeArrayPool.Return(_buffer);
        _buffer = larger;
    }
}
