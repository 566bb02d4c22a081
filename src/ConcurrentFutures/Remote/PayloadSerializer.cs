using System.Buffers;
using MessagePack;
using ConcurrentFutures.Remote.Graph;

namespace ConcurrentFutures.Remote;

/// <summary>
/// How values cross a process boundary: MessagePack, read into the type this side declares (a parameter, a return
/// type, a captured variable, a queue's item type). The application's own objects are copied field by field with
/// shared references, cycles and runtime types kept (<see cref="GraphResolver"/>); a runtime type travels only if
/// it is assignable to the declared type and is a listed framework type or one of the application's own.
/// Each value is one graph, and so are all the arguments of one call and all the captures of one lambda
/// (<see cref="GraphSession.BeginShared"/>): an object given twice arrives once.
/// Primitives, strings and byte arrays are written and read directly (same MessagePack encoding), which skips the
/// resolver machinery whose first use costs tens of milliseconds in a fresh worker.
/// </summary>
internal static class PayloadSerializer
{
    /// <summary>The library's resolver (<see cref="GraphResolver"/>): records and classes need no attributes; hardened against hostile input.</summary>
    /// <remarks>
    /// Created on first use, not with this class: building the resolver takes tens of milliseconds in a fresh worker,
    /// and a call that sends only primitives never needs it.
    /// </remarks>
    public static MessagePackSerializerOptions Options => Resolver.Options;

    /// <summary>Writes <paramref name="value"/> as its declared <paramref name="type"/>.</summary>
    public static void Write(ref MessagePackWriter writer, Type type, object? value)
    {
        switch (value)
        {
            case null when !type.IsValueType:
                writer.WriteNil();
                return;
            case int i when type == typeof(int):
                writer.Write(i);
                return;
            case long l when type == typeof(long):
                writer.Write(l);
                return;
            case bool b when type == typeof(bool):
                writer.Write(b);
                return;
            case double d when type == typeof(double):
                writer.Write(d);
                return;
            case string s when type == typeof(string):
                writer.Write(s);
                return;
            case byte[] bytes when type == typeof(byte[]):
                writer.Write(bytes);
                return;
            default:
                using (GraphSession.Begin())
                {
                    TypedSerializer.Serialize(type, ref writer, value, Options);
                }

                return;
        }
    }

    /// <summary>Reads a value of the declared <paramref name="type"/>.</summary>
    public static object? Read(ref MessagePackReader reader, Type type)
    {
        if (!type.IsValueType && reader.TryReadNil())
        {
            return null;
        }

        if (type == typeof(int))
        {
            return reader.ReadInt32();
        }

        if (type == typeof(long))
        {
            return reader.ReadInt64();
        }

        if (type == typeof(bool))
        {
            return reader.ReadBoolean();
        }

        if (type == typeof(double))
        {
            return reader.ReadDouble();
        }

        if (type == typeof(string))
        {
            return reader.ReadString();
        }

        if (type == typeof(byte[]))
        {
            if (reader.ReadBytes() is not { } bytes)
            {
                return null;
            }

            // Every byte is overwritten by the copy: not zeroed first (for a large array a second pass), and a large
            // one backed by huge pages (most arrays this size are fresh memory, whose first touch is the cost).
            byte[] copy = Platform.NativeMethods.NewLargeArray(checked((int)bytes.Length));
            bytes.CopyTo(copy);
            return copy;
        }

        using (GraphSession.Begin())
        {
            return TypedSerializer.Deserialize(type, ref reader, Options);
        }
    }

    /// <summary>
    /// The part of a failed write that explains it: the reason, and the object at fault if known; null when the
    /// failure is not about what the value holds.
    /// </summary>
    public static UnsendableValueException? Unsendable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is UnsendableValueException unsendable)
            {
                return unsendable;
            }
        }

        return null;
    }

    /// <summary>
    /// True when a value of one of <paramref name="types"/> can hold objects (not only the primitives written
    /// directly), so several such values are worth one shared graph. Both sides decide from the same types.
    /// </summary>
    public static bool CanHoldObjects(Type[] types) =>
        Array.Exists(types, t => t != typeof(int) && t != typeof(long) && t != typeof(bool) && t != typeof(double) && t != typeof(string) && t != typeof(byte[]));

    /// <summary>Reads a value of the declared type <typeparamref name="T"/>.</summary>
    public static T Read<T>(ReadOnlySequence<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return (T)Read(ref reader, typeof(T))!;
    }

    /// <summary>Runs the serializer's one-time initialization, e.g. on a worker's idle core while it connects.</summary>
    public static void WarmUp()
    {
        // Through the library's own entry points, as the work will be: MessagePackSerializer's would also build
        // MessagePack's standard resolver, which the library does not use (see TypedSerializer.WriteTyped).
        var value = new List<KeyValuePair<string, int>> { new("warm", 1) };
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value.GetType(), value);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        _ = Read(ref reader, value.GetType());
    }

    private static class Resolver
    {
        /// <summary>
        /// Hardened against hostile input. MessagePack counts only its own container levels; the application's objects
        /// are counted by <see cref="GraphSession"/> (at most <see cref="GraphSession.MaxDepth"/>), so the container limit
        /// leaves room for a few framework collections per object level.
        /// </summary>
        public static readonly MessagePackSerializerOptions Options = new MessagePackSerializerOptions(GraphResolver.Instance) // not Standard.WithResolver: see TypedSerializer.WriteTyped
            .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(4 * GraphSession.MaxDepth));
    }
}
