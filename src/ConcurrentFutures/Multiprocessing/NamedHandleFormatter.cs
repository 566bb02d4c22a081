using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>An object that other processes reach by name (a shared memory block, a lock…).</summary>
internal interface INamedHandle<TSelf>
    where TSelf : class, INamedHandle<TSelf>
{
    /// <summary>The name another process opens it by.</summary>
    string Name { get; }

    /// <summary>Opens the existing object with that name in this process.</summary>
    static abstract TSelf Open(string name);
}

/// <summary>Sends a named object as its name; the receiving process opens the same object.</summary>
internal sealed class NamedHandleFormatter<T> : IMessagePackFormatter<T?>
    where T : class, INamedHandle<T>
{
    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(value.Name);
        }
    }

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : T.Open(reader.ReadString() ?? throw new MessagePackSerializationException("A handle without a name."));
}
