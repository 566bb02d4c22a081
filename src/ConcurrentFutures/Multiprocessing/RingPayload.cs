using System.Buffers;
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

    /// <summary>Serializes <paramref name="value"/>; the result is valid until this thread's next call.</summary>
    /// <exception cref="ArgumentException">The value cannot be sent to another process.</exception>
    public static ReadOnlyMemory<byte> Encode<T>(SharedRing ring, T value, string paramName, out int kind)
    {
        if (Sendability.Check(typeof(T)) is { } reason)
        {
            throw new ArgumentException($"The value cannot be sent to another process: {reason}.", paramName);
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

        return Place(ring, buffer.WrittenMemory, out kind);
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

    /// <summary>Takes the oldest record if there is one and reads it with <paramref name="read"/>.</summary>
    public static bool TryTake<T>(SharedRing ring, Func<ReadOnlySequence<byte>, T> read, out T value)
    {
        byte[] buffer = t_received ?? [];
        bool taken = ring.TryTake(ref buffer, out int length, out int kind);
        t_received = buffer.Length <= MaxKeptBuffer ? buffer : null;
        if (!taken)
        {
            value = default!;
            return false;
        }

        value = kind == SharedRing.InlineKind
            ? read(new ReadOnlySequence<byte>(buffer, 0, length))
            : SharedMemoryTransport.ReadAndDelete(Encoding.UTF8.GetString(buffer, 0, length), read);
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
