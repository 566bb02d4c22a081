using System.Buffers;
using System.Text;
using MessagePack;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// "The payload is in this shared-memory file", written in a message where the payload (a call's arguments, a result)
/// would be: a MessagePack extension whose data is the file's path in UTF-8. Type 77, a one-off file the reader deletes
/// once read; type 78, a slab (<see cref="PayloadSlab"/>) the reader maps and leaves. The serializer never produces
/// these types for values (its own extensions are negative, LZ4's are 98 and 99), so they cannot be confused with data.
/// </summary>
internal readonly record struct SharedReference(string Path, bool Slab)
{
    private const sbyte FileExtension = 77;
    private const sbyte SlabExtension = 78;

    public void Write(ref MessagePackWriter writer) =>
        writer.WriteExtensionFormat(new ExtensionResult(Slab ? SlabExtension : FileExtension, Encoding.UTF8.GetBytes(Path)));

    /// <summary>The reference alone, as the payload of a message.</summary>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(Path.Length + 8);
        var writer = new MessagePackWriter(buffer);
        Write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a reference if that is what comes next; otherwise leaves the reader alone (the payload is inline).</summary>
    public static bool TryRead(ref MessagePackReader reader, out SharedReference reference)
    {
        reference = default;
        if (reader.NextCode is not ((>= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16) or (>= MessagePackCode.Ext8 and <= MessagePackCode.Ext32)))
        {
            return false; // not an extension (read from the first byte: MessagePack's table of types costs a fresh worker a large compile)
        }

        MessagePackReader peek = reader.CreatePeekReader();
        sbyte type = peek.ReadExtensionFormatHeader().TypeCode;
        if (type is not FileExtension and not SlabExtension)
        {
            return false;
        }

        ExtensionResult extension = reader.ReadExtensionFormat();
        reference = new SharedReference(Encoding.UTF8.GetString(extension.Data.ToArray()), type == SlabExtension);
        return true;
    }

    /// <summary>Whether <paramref name="payload"/> is a reference rather than the value itself.</summary>
    public static bool TryRead(ReadOnlySequence<byte> payload, out SharedReference reference)
    {
        var reader = new MessagePackReader(payload);
        return TryRead(ref reader, out reference);
    }
}
