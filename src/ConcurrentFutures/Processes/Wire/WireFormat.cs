using System.Buffers;
using MessagePack;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>A message of the protocol (<see cref="MessageKind"/>): it writes itself as one MessagePack array.</summary>
internal interface IWireMessage
{
    void Write(ref MessagePackWriter writer);
}

/// <summary>What every message shares: a MessagePack array whose first element is its <see cref="MessageKind"/>.</summary>
internal static class WireFormat
{
    /// <summary>A message alone, as the body of a frame (a standby worker's rehearsal, tests).</summary>
    public static byte[] ToBytes<TMessage>(in TMessage message)
        where TMessage : struct, IWireMessage
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        message.Write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The kind of the message in <paramref name="frame"/>, without consuming it (the message's own reader reads it again).</summary>
    public static MessageKind PeekKind(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        return reader.ReadArrayHeader() >= 1 ? (MessageKind)reader.ReadInt32() : 0;
    }

    public static void WriteStart(ref MessagePackWriter writer, MessageKind kind, int elements)
    {
        writer.WriteArrayHeader(elements);
        writer.Write((int)kind);
    }

    /// <summary>Reads the array header and the kind; throws unless they are those of the message expected.</summary>
    public static MessageKind ReadStart(ref MessagePackReader reader, int elements, MessageKind expected, MessageKind alternative = 0)
    {
        int count = reader.ReadArrayHeader();
        var kind = (MessageKind)reader.ReadInt32();
        return count == elements && (kind == expected || (alternative != 0 && kind == alternative))
            ? kind
            : throw new InvalidDataException($"Expected a {expected} message of {elements} elements, got {kind} with {count}.");
    }

    /// <summary>
    /// The last element of a message, which runs to the end of its <paramref name="frame"/>: sliced off without walking
    /// it (a value of any size, which its user reads in place).
    /// </summary>
    public static ReadOnlyMemory<byte> Rest(ReadOnlyMemory<byte> frame, in MessagePackReader reader) =>
        reader.Consumed < frame.Length ? frame[(int)reader.Consumed..] : throw new InvalidDataException("A message ended before its last element.");

    /// <summary>The element <paramref name="reader"/> is at, as a slice of its <paramref name="frame"/>, skipped.</summary>
    public static ReadOnlyMemory<byte> Element(ReadOnlyMemory<byte> frame, ref MessagePackReader reader)
    {
        int start = (int)reader.Consumed;
        if (!reader.TryReadNil()) // nil — a static method's target — needs none of the general skip's code, compiled on first use
        {
            reader.Skip();
        }

        return frame[start..(int)reader.Consumed];
    }
}
