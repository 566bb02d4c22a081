using MessagePack;
using MessagePack.Resolvers;

namespace ConcurrentFutures.Remote;

/// <summary>
/// How values cross a process boundary: MessagePack, always read into a type this side declares (a parameter, a
/// return type, a captured variable). No type name is ever read from the wire to pick what to create.
/// </summary>
internal static class PayloadSerializer
{
    /// <summary>Contractless, so records and POCOs need no attributes; hardened against hostile input.</summary>
    public static readonly MessagePackSerializerOptions Options = ContractlessStandardResolver.Options
        .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Writes <paramref name="value"/> as its declared <paramref name="type"/>.</summary>
    public static void Write(ref MessagePackWriter writer, Type type, object? value) =>
        MessagePackSerializer.Serialize(type, ref writer, value, Options);

    /// <summary>Reads a value of the declared <paramref name="type"/>.</summary>
    public static object? Read(ref MessagePackReader reader, Type type) =>
        MessagePackSerializer.Deserialize(type, ref reader, Options);

    /// <summary>Reads a value of the declared type <typeparamref name="T"/>.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<T>(bytes, Options);
}
