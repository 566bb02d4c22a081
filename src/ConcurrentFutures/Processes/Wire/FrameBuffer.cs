using System.Buffers;
using System.Buffers.Binary;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// Accumulates outgoing frames (<c>[int32 little-endian length][MessagePack body]</c>) in one growable array, so a
/// batch of messages goes out in a single socket write. Not thread-safe: one writer owns it.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>
{
    /// <summary>An array grown past this by one huge frame goes back to the pool once the frames are sent.</summary>
    private const int LargestKept = 4 * 1024 * 1024;

    private readonly PooledBufferWriter _buffer;
    private int _frameStart = -1;

    public FrameBuffer(int initialCapacity = 64 * 1024) => _buffer = new PooledBufferWriter(initialCapacity);

    /// <summary>The bytes of all complete frames written so far.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public int Length => _buffer.WrittenCount;

    /// <summary>Appends <paramref name="message"/> as one frame.</summary>
    public void Append<TMessage>(in TMessage message)
        where TMessage : struct, IWireMessage
    {
        BeginFrame();
        var writer = new MessagePack.MessagePackWriter(this);
        message.Write(ref writer);
        writer.Flush();
        EndFrame();
    }

    /// <summary>Reserves the length prefix of a new frame; write its body through this <see cref="IBufferWriter{T}"/>.</summary>
    public void BeginFrame()
    {
        _buffer.GetSpan(4);
        _frameStart = _buffer.WrittenCount;
        _buffer.Advance(4);
    }

    /// <summary>Patches the length prefix of the frame begun last.</summary>
    public void EndFrame()
    {
        int bodyLength = _buffer.WrittenCount - _frameStart - 4;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.WrittenSpan[_frameStart..], bodyLength);
        _frameStart = -1;
    }

    /// <summary>Forgets everything written; keeps the array (giving it back if one huge frame made it grow).</summary>
    public void Clear()
    {
        _buffer.Reset();
        _buffer.Shrink(LargestKept);
    }

    public void Advance(int count) => _buffer.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(Math.Max(sizeHint, 256));

    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(Math.Max(sizeHint, 256));
}
