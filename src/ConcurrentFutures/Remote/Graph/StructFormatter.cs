using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>Copies a struct of the application field by field (<see cref="TypeLayout"/>); structs are values, never shared.</summary>
internal sealed class StructFormatter<T> : IMessagePackFormatter<T>
    where T : struct
{
    public static readonly StructFormatter<T> Instance = new();

    private static readonly TypeLayout s_layout = TypeLayout.For(typeof(T));

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        GraphSession session = GraphSession.Current;
        session.Enter(null);
        try
        {
            s_layout.WriteBody(ref writer, value, options);
        }
        finally
        {
            session.Leave();
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        GraphSession session = GraphSession.Current;
        session.Enter(null);
        try
        {
            object box = RuntimeHelpers.GetUninitializedObject(typeof(T));
            s_layout.ReadBody(ref reader, box, options);
            return (T)box;
        }
        finally
        {
            session.Leave();
        }
    }
}
