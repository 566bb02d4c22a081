using System.Buffers;
using System.Buffers.Binary;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// Accumulates outgoing frames (<c>[int32 little-endian length][MessagePack body]</c>) in one growable array, so a
/// batch of messages goes out in a single socket write. Not thread-safe: one writer owns it.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public FrameBuffer(int initialCapacity = 64 * 1024) => _buffer = new byte[initialCapacity];

    /// <summary>The bytes of all complete frames written so far.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

    /// <summary>Reserves the length prefix of a new frame; write its body through this <see cref="IBufferWriter{T}"/>.</summary>
    public void BeginFrame()
    {
        GetSpan(4);
        _frameStart = _length;
        _length += 4;
    }

    /// <summary>Patches the length prefix of the frame begun last.</summary>
    public void EndFrame()
    {
        int bodyLength = _length - _frameStart - 4;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_frameStart), bodyLength);
        _frameStart = -1;
    }

    /// <summary>Forgets everything written; keeps the array (shrinking it if one huge frame made it grow).</summary>
    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > 4 * 1024 * 1024)
        {
            _buffer = new byte[64 * 1024];
        }
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 256);
        if (_buffer.Length - _length < needed)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + needed));
        }
    }
}
