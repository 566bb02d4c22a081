using System.Buffers;
using ConcurrentFutures.Remote;
using ConcurrentFutures.Remote.Graph;
using MessagePack;

namespace ConcurrentFutures.Tests.Remote;

public class TypedSerializerTests
{
    public sealed record Line(int Number, string Text, double[] Values);

    public static TheoryData<Type, object?> Values => new()
    {
        { typeof(Line), new Line(3, "three", [1.5, 2.5]) },
        { typeof(DateTime), new DateTime(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc) },
        { typeof(int?), 7 },
        { typeof(int?), null },
        { typeof(List<string>), new List<string> { "a", "b" } },
        { typeof(decimal), 12.25m },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void WritesTheBytesMessagePacksOwnNonGenericCallWrites_AndReadsThemBack(Type type, object? value)
    {
        var ours = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(ours);
        using (GraphSession.Begin()) // as every value's write and read: the app's objects are one graph each
        {
            TypedSerializer.Serialize(type, ref writer, value, PayloadSerializer.Options);
        }

        writer.Flush();

        var theirs = new ArrayBufferWriter<byte>();
        var reference = new MessagePackWriter(theirs);
        using (GraphSession.Begin())
        {
            MessagePackSerializer.Serialize(type, ref reference, value, PayloadSerializer.Options);
        }

        reference.Flush();

        Assert.Equal(theirs.WrittenSpan.ToArray(), ours.WrittenSpan.ToArray());
        var reader = new MessagePackReader(new ReadOnlySequence<byte>(ours.WrittenMemory));
        object? read;
        using (GraphSession.Begin())
        {
            read = TypedSerializer.Deserialize(type, ref reader, PayloadSerializer.Options);
        }

        if (value is Line line)
        {
            var back = Assert.IsType<Line>(read);
            Assert.Equal((line.Number, line.Text), (back.Number, back.Text));
            Assert.Equal(line.Values, back.Values);
        }
        else
        {
            Assert.Equal(value, read);
        }

        Assert.True(reader.End);
    }
}
