using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// Copies values declared as a reference type of the application, an interface, an abstract class or <c>object</c>:
/// <list type="bullet">
/// <item>nil for null;</item>
/// <item>a back-reference (extension <see cref="BackReferenceCode"/>, the object's number) for an object of the
/// application already written in this value — shared references stay shared, cycles close;</item>
/// <item>an array of the fields (<see cref="TypeLayout"/>) when the runtime type is the declared type;</item>
/// <item>a one-entry map {type tag: body} when it is not (<see cref="TypeTags"/>): the concrete type travels and is
/// rebuilt, only if it is assignable to the declared type and nameable;</item>
/// <item>a string as itself.</item>
/// </list>
/// </summary>
internal sealed class GraphFormatter<T> : IMessagePackFormatter<T?>
    where T : class
{
    /// <summary>The MessagePack extension code of a back-reference (77 and 78 are the shared-memory references).</summary>
    public const sbyte BackReferenceCode = 80;

    public static readonly GraphFormatter<T> Instance = new();

    /// <summary>The layout of <typeparamref name="T"/> itself when values of exactly that type are copied field by field.</summary>
    private static readonly TypeLayout? s_exact = GraphResolver.HasLayout(typeof(T)) && !typeof(T).IsAbstract && !typeof(T).IsInterface && typeof(T) != typeof(object)
        ? TypeLayout.For(typeof(T))
        : null;

    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        GraphSession session = GraphSession.Current;
        Type runtime = value.GetType();
        if (s_exact is not null && runtime == typeof(T))
        {
            WriteExact(ref writer, value, options, session); // the common case: a value of its declared type
            return;
        }

        if (value is string text)
        {
            writer.Write(text);
            return;
        }

        TypeLayout? layout = GraphResolver.HasLayout(runtime) ? TypeLayout.For(runtime) : null;
        if (layout is { IsTracked: true } && session.TryGetWritten(value, out int id))
        {
            WriteBackReference(ref writer, id);
            return;
        }

        if (runtime != typeof(T) || runtime == typeof(object))
        {
            if (Sendability.Check(runtime) is { } reason)
            {
                throw new UnsendableValueException(reason, value);
            }

            if (TypeTags.WhyNotNameable(runtime) is { } unnamed)
            {
                throw new UnsendableValueException(unnamed, value);
            }

            writer.WriteMapHeader(1);
            TypeTags.Write(ref writer, runtime, session);
        }

        session.Enter(value);
        try
        {
            if (layout is not null)
            {
                layout.WriteBody(ref writer, value, options);
            }
            else
            {
                WriteFramework(ref writer, runtime, value, options, session);
            }
        }
        finally
        {
            session.Leave();
        }
    }

    private static void WriteExact(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options, GraphSession session)
    {
        if (s_exact!.IsTracked && session.TryGetWritten(value, out int id))
        {
            WriteBackReference(ref writer, id);
            return;
        }

        session.Enter(value);
        try
        {
            s_exact.WriteBody(ref writer, value, options);
        }
        finally
        {
            session.Leave();
        }
    }

    private static void WriteBackReference(ref MessagePackWriter writer, int id)
    {
        writer.WriteExtensionFormatHeader(new ExtensionHeader(BackReferenceCode, 4));
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(4), id);
        writer.Advance(4);
    }

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        GraphSession session = GraphSession.Current;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Extension:
                return ReadBackReference(ref reader, session);
            case MessagePackType.String when typeof(T).IsAssignableFrom(typeof(string)):
                return (T)(object)reader.ReadString()!;
            case MessagePackType.Array when s_exact is not null:
                return (T)ReadBody(ref reader, s_exact, options, session);
            case MessagePackType.Map:
                if (reader.ReadMapHeader() != 1)
                {
                    throw new MessagePackSerializationException($"A value of {Sendability.Describe(typeof(T))} has a malformed type entry.");
                }

                Type runtime = TypeTags.Read(ref reader, session, options);
                if (!typeof(T).IsAssignableFrom(runtime) || runtime.IsAbstract || runtime.IsInterface || Sendability.Check(runtime) is not null)
                {
                    throw new MessagePackSerializationException($"A value declared as {Sendability.Describe(typeof(T))} names type {Sendability.Describe(runtime)}, which cannot stand for it; it was not created.");
                }

                return (T)(GraphResolver.HasLayout(runtime) ? ReadBody(ref reader, TypeLayout.For(runtime), options, session) : ReadFramework(ref reader, runtime, options, session));
            default:
                throw new MessagePackSerializationException($"A value of {Sendability.Describe(typeof(T))} was expected, but the data holds a {reader.NextMessagePackType}.");
        }
    }

    private static object ReadBody(ref MessagePackReader reader, TypeLayout layout, MessagePackSerializerOptions options, GraphSession session)
    {
        session.Enter(null);
        try
        {
            object target = RuntimeHelpers.GetUninitializedObject(layout.Type);
            if (layout.IsTracked)
            {
                session.Register(target);
            }

            layout.ReadBody(ref reader, target, options);
            return target;
        }
        finally
        {
            session.Leave();
        }
    }

    private static object ReadFramework(ref MessagePackReader reader, Type runtime, MessagePackSerializerOptions options, GraphSession session)
    {
        session.Enter(null);
        try
        {
            return TypedSerializer.Deserialize(runtime, ref reader, options)
                ?? throw new MessagePackSerializationException($"A {Sendability.Describe(runtime)} was read as null.");
        }
        finally
        {
            session.Leave();
        }
    }

    private static T ReadBackReference(ref MessagePackReader reader, GraphSession session)
    {
        ExtensionHeader header = reader.ReadExtensionFormatHeader();
        if (header.TypeCode != BackReferenceCode || header.Length != 4)
        {
            throw new MessagePackSerializationException($"Unexpected extension {header.TypeCode} where a value of {Sendability.Describe(typeof(T))} was expected.");
        }

        Span<byte> number = stackalloc byte[4];
        System.Buffers.BuffersExtensions.CopyTo(reader.ReadRaw(4), number);
        return session.Referenced(BinaryPrimitives.ReadInt32BigEndian(number)) as T
            ?? throw new MessagePackSerializationException($"A back-reference names an object that is not a {Sendability.Describe(typeof(T))}.");
    }

    /// <summary>A framework value under a wider declared type; a collection that contains itself cannot be rebuilt.</summary>
    private static void WriteFramework(ref MessagePackWriter writer, Type runtime, object value, MessagePackSerializerOptions options, GraphSession session)
    {
        if (runtime.IsValueType)
        {
            TypedSerializer.Serialize(runtime, ref writer, value, options);
            return;
        }

        if (!session.Open(value))
        {
            throw new UnsendableValueException($"this {Sendability.Describe(runtime)} contains itself, and a framework collection cannot be rebuilt around a cycle; put the cycle through one of your own classes", value);
        }

        try
        {
            TypedSerializer.Serialize(runtime, ref writer, value, options);
        }
        finally
        {
            session.Close(value);
        }
    }
}
