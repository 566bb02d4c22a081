using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Remote;
using ConcurrentFutures.Remote.Graph;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Turns values into ring records and back (queues and pipes): MessagePack into this thread's reusable buffer, inline
/// when it fits in half the ring, else in a file of its own (the record then holds the file's path).
/// </summary>
internal static class RingPayload
{
    /// <summary>The largest per-thread buffer kept between calls.</summary>
    private const int MaxKeptBuffer = 4 * 1024 * 1024;

    [ThreadStatic]
    private static byte[]? t_received;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_sent;

    /// <summary>
    /// From this size a byte array goes into the ring and comes out of it with one copy on each side (its serialized
    /// header and the array itself, then straight out of the shared memory into the new array) instead of two through
    /// this thread's buffers: 1 MB items are copy-bound on both sides.
    /// </summary>
    internal const int DirectBytesFrom = 64 * 1024;

    /// <summary>MessagePack's bin 32 format: a 0xc6 byte, the length (4 bytes, big-endian), the bytes.</summary>
    private const byte Bin32 = 0xc6;
    private const int Bin32Header = 5;

    private static readonly DirectRead<byte[]> s_readBytes = ReadSerializedBytes;

    /// <summary>Reads a raw message of <see cref="DirectBytesFrom"/> or more (a pipe's <c>SendBytes</c>) into a new array with one copy.</summary>
    public static DirectRead<byte[]> RawBytes { get; } = ReadRawBytes;

    [ThreadStatic]
    private static byte[]? t_header;

    /// <summary>The new array a direct read copies into when its length is right (see <see cref="TryTake{T}(SharedRing, Func{ReadOnlySequence{byte}, T}, DirectRead{T}?, out T)"/>).</summary>
    [ThreadStatic]
    private static byte[]? t_ready;

    /// <summary>Serializes <paramref name="value"/>; the result is valid until this thread's next call.</summary>
    /// <exception cref="ArgumentException">The value cannot be sent to another process.</exception>
    public static RingRecord Encode<T>(SharedRing ring, T value, string paramName, out int kind)
    {
        if (Sendability.Check(typeof(T)) is { } reason)
        {
            throw new ArgumentException($"The value cannot be sent to another process: {reason}.", paramName);
        }

        if (typeof(T) == typeof(byte[]) && value is byte[] { Length: >= DirectBytesFrom } bytes && Bin32Header + (long)bytes.Length <= ring.MaxInline)
        {
            // What the serializer writes for it (bin 32 from 64 KiB on), without first copying it into a buffer.
            byte[] header = t_header ??= new byte[Bin32Header];
            header[0] = Bin32;
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), bytes.Length);
            kind = SharedRing.InlineKind;
            return new RingRecord(header, bytes);
        }

        ArrayBufferWriter<byte> buffer = t_sent ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = new MessagePack.MessagePackWriter(buffer);
        try
        {
            PayloadSerializer.Write(ref writer, typeof(T), value);
            writer.Flush();
        }
        catch (Exception exception) when (PayloadSerializer.Unsendable(exception) is { } failure)
        {
            throw new ArgumentException($"The value cannot be sent to another process: {ValuePath.Explain(paramName, value, failure)}.", paramName);
        }
        if (buffer.Capacity > MaxKeptBuffer)
        {
            t_sent = null;
        }

        return new RingRecord(Place(ring, buffer.WrittenMemory, out kind));
    }

    /// <summary>Raw bytes as a record: themselves when they fit inline, else a file's path.</summary>
    public static ReadOnlyMemory<byte> Place(SharedRing ring, ReadOnlyMemory<byte> bytes, out int kind)
    {
        if (bytes.Length <= ring.MaxInline)
        {
            kind = SharedRing.InlineKind;
            return bytes;
        }

        kind = SharedRing.FileKind;
        return Encoding.UTF8.GetBytes(SharedMemoryTransport.Write(ring.Path + "-", bytes.Span));
    }

    /// <summary>
    /// Takes the oldest record of values serialized as <typeparamref name="T"/>: large byte arrays straight out of the
    /// shared memory (see <see cref="DirectBytesFrom"/>), the rest with <see cref="PayloadSerializer.Read{T}"/>.
    /// </summary>
    public static bool TryTake<T>(SharedRing ring, out T value) => TryTake(ring, PayloadSerializer.Read<T>, DirectReader<T>(), out value);

    /// <summary>The reader of large serialized byte arrays when <typeparamref name="T"/> is <c>byte[]</c>, else null.</summary>
    public static DirectRead<T>? DirectReader<T>() => typeof(T) == typeof(byte[]) ? (DirectRead<T>)(object)s_readBytes : null;

    /// <summary>Takes the oldest record if there is one: read by <paramref name="direct"/> in place if it accepts it, else with <paramref name="read"/>.</summary>
    public static bool TryTake<T>(SharedRing ring, Func<ReadOnlySequence<byte>, T> read, DirectRead<T>? direct, out T value)
    {
        byte[] buffer = t_received ?? [];
        int length, kind;
        if (direct is not null && ring.PeekInlineLength() is var next and >= DirectBytesFrom)
        {
            // The array it will be read into, allocated before the lock rather than under it (not zeroed: it is copied over).
            t_ready = Platform.NativeMethods.NewLargeArray(next - (direct == (object)s_readBytes ? Bin32Header : 0));
        }

        bool taken;
        try
        {
            taken = ring.TryTake(ref buffer, out length, out kind, direct, out value);
        }
        finally
        {
            t_ready = null;
        }

        t_received = buffer.Length <= MaxKeptBuffer ? buffer : null;
        if (!taken)
        {
            value = default!;
            return false;
        }

        value = kind switch
        {
            SharedRing.ReadKind => value,
            SharedRing.InlineKind => read(new ReadOnlySequence<byte>(buffer, 0, length)),
            _ => SharedMemoryTransport.ReadAndDelete(Encoding.UTF8.GetString(buffer, 0, length), read),
        };
        return true;
    }

    private static bool ReadRawBytes(ReadOnlySpan<byte> payload, out byte[] value)
    {
        if (payload.Length < DirectBytesFrom)
        {
            value = null!;
            return false;
        }

        value = Ready(payload.Length);
        payload.CopyTo(value);
        return true;
    }

    private static byte[] Ready(int length) =>
        t_ready is { } ready && ready.Length == length ? ready : Platform.NativeMethods.NewLargeArray(length);

    /// <summary>A serialized byte array of <see cref="DirectBytesFrom"/> or more, read into a new array with one copy.</summary>
    private static bool ReadSerializedBytes(ReadOnlySpan<byte> payload, out byte[] value)
    {
        if (payload.Length < DirectBytesFrom || payload[0] != Bin32
            || BinaryPrimitives.ReadInt32BigEndian(payload[1..]) != payload.Length - Bin32Header)
        {
            value = null!;
            return false;
        }

        value = Ready(payload.Length - Bin32Header);
        payload[Bin32Header..].CopyTo(value);
        return true;
    }

    /// <summary>Removes the file of a record that was never put.</summary>
    public static void Discard(ReadOnlySpan<byte> payload, int kind)
    {
        if (kind == SharedRing.FileKind)
        {
            SharedMemoryTransport.Delete(Encoding.UTF8.GetString(payload));
        }
    }

    /// <summary>Removes every record file of <paramref name="ring"/> still on disk.</summary>
    public static void DeleteFiles(SharedRing ring) => SharedMemoryTransport.DeleteAll(ring.Path + "-");
}
