using System.Buffers;
using System.Runtime.Versioning;
using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>Serializes a queue as its handle; deserializing opens the same queue (see <see cref="ProcessQueue{T}.Open"/>).</summary>
[SupportedOSPlatform("linux")]
internal sealed class QueueHandleFormatter<T> : IMessagePackFormatter<ProcessQueue<T>?>
{
    public void Serialize(ref MessagePackWriter writer, ProcessQueue<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        writer.Write(value.Path);
        writer.Write(value.IsJoinable);
    }

    public ProcessQueue<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.ReadArrayHeader() != 2 || reader.ReadString() is not { } path
            || !path.StartsWith(Processes.SharedMemoryTransport.Directory, StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal))
        {
            throw new MessagePackSerializationException("Malformed queue handle.");
        }

        return ProcessQueue<T>.Open(path, reader.ReadBoolean());
    }
}

/// <summary>The same for a declared <see cref="JoinableProcessQueue{T}"/>.</summary>
[SupportedOSPlatform("linux")]
internal sealed class JoinableQueueHandleFormatter<T> : IMessagePackFormatter<JoinableProcessQueue<T>?>
{
    private readonly QueueHandleFormatter<T> _inner = new();

    public void Serialize(ref MessagePackWriter writer, JoinableProcessQueue<T>? value, MessagePackSerializerOptions options) =>
        _inner.Serialize(ref writer, value, options);

    public JoinableProcessQueue<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        (JoinableProcessQueue<T>?)_inner.Deserialize(ref reader, options);
}
