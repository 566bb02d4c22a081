using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Remote.Graph;

/// <summary><see cref="Int128"/> and <see cref="UInt128"/> (MessagePack 2.5 has no formatter for them): [upper, lower] 64-bit halves.</summary>
internal sealed class Int128Formatter : IMessagePackFormatter<Int128>, IMessagePackFormatter<UInt128>
{
    public static readonly Int128Formatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, Int128 value, MessagePackSerializerOptions options) => Serialize(ref writer, (UInt128)value, options);

    public void Serialize(ref MessagePackWriter writer, UInt128 value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(2);
        writer.Write((ulong)(value >> 64));
        writer.Write((ulong)value);
    }

    Int128 IMessagePackFormatter<Int128>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => (Int128)ReadUnsigned(ref reader);

    UInt128 IMessagePackFormatter<UInt128>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => ReadUnsigned(ref reader);

    private static UInt128 ReadUnsigned(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("A 128-bit integer must be two 64-bit halves.");
        }

        ulong upper = reader.ReadUInt64();
        return new UInt128(upper, reader.ReadUInt64());
    }
}
