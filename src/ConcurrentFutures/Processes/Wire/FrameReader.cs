using System.Buffers.Binary;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// Splits a connection's byte stream into frames. A declared length above <see cref="MaxFrameBytes"/> (or negative) is
/// refused before anything is allocated for it. The returned memory is valid until the next read.
/// </summary>
internal sealed class FrameReader
{
    /// <summary>Frames larger than this are refused; bulk data travels through shared memory instead.</summary>
    public const int MaxFrameBytes = 512 * 1024 * 1024;

    private readonly Stream _stream;
    private int _maxFrameBytes;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public FrameReader(Stream stream, int maxFrameBytes = MaxFrameBytes) => (_stream, _maxFrameBytes) = (stream, maxFrameBytes);

    /// <summary>Raises the frame limit (a connection is first read with a tiny limit until it has authenticated).</summary>
    public void AllowFramesUpTo(int maxFrameBytes) => _maxFrameBytes = maxFrameBytes;

    /// <summary>Reads the next frame; null at a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">The stream declared an impossible frame, or ended inside one.</exception>
    public ReadOnlyMemory<byte>? ReadFrame()
    {
        ReadOnlyMemory<byte> frame;
        while (!TryTakeFrame(out frame))
        {
            Compact();
            int read = _stream.Read(_buffer.AsSpan(_end));
            if (read == 0)
            {
                return EndOfStream();
            }

            _end += read;
        }

        return frame;
    }

    /// <summary>True when bytes of a next frame have been read from the stream already (not necessarily all of it).</summary>
    public bool HasBufferedBytes => _end > _start;

    private ReadOnlyMemory<byte>? EndOfStream() =>
        _end == _start ? null : throw new InvalidDataException($"The connection closed in the middle of a frame ({_end - _start} bytes pending).");

    private bool TryGetBufferedLength(out int length)
    {
        length = 0;
        if (_end - _start < 4)
        {
            return false;
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (length < 0 || length > _maxFrameBytes)
        {
            throw new InvalidDataException($"Refused a frame declaring {length} bytes (the limit is {_maxFrameBytes}).");
        }

        return true;
    }

    private bool TryTakeFrame(out ReadOnlyMemory<byte> frame)
    {
        frame = default;
        if (!TryGetBufferedLength(out int length))
        {
            return false;
        }

        if (_end - _start - 4 < length)
        {
            EnsureCapacity(4 + length);
            return false;
        }

        frame = _buffer.AsMemory(_start + 4, length);
        _start += 4 + length;
        return true;
    }

    /// <summary>Moves pending bytes to the front so the rest of the buffer can be filled.</summary>
    private void Compact()
    {
        if (_start == _end)
        {
            _start = _end = 0;
            return;
        }

        if (_start > 0 && _buffer.Length - _end < 4096)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            EnsureCapacity(_buffer.Length * 2);
        }
    }

    /// <summary>Makes room for a whole frame of <paramref name="bytes"/> (prefix included) from the current start.</summary>
    private void EnsureCapacity(int bytes)
    {
        if (_buffer.Length - _start >= bytes)
        {
            return;
        }

        var bigger = new byte[Math.Max(bytes, _buffer.Length)];
        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        _end -= _start;
        _start = 0;
        _buffer = bigger;
    }
}
