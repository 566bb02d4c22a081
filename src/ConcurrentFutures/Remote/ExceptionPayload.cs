using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Carries an exception across processes: its type name, message, stack trace and inner exception. Rebuilding
/// creates the same type only when it is an <see cref="Exception"/> type already loaded here with a
/// <c>(string)</c> or <c>(string, Exception)</c> constructor — a name from the wire never loads an assembly nor
/// creates anything else; otherwise the result is a <see cref="RemoteException"/>.
/// </summary>
internal static class ExceptionPayload
{
    private const int MaxDepth = 8;

    public static void Write(ref MessagePackWriter writer, Exception exception, int depth = 0)
    {
        writer.WriteArrayHeader(4);
        writer.Write(exception.GetType().FullName);
        writer.Write(exception.Message);
        writer.Write(exception.StackTrace);
        if (exception.InnerException is { } inner && depth < MaxDepth)
        {
            Write(ref writer, inner, depth + 1);
        }
        else
        {
            writer.WriteNil();
        }
    }

    /// <summary>Reads an exception written by <see cref="Write"/>; a malformed payload throws <see cref="MessagePackSerializationException"/>.</summary>
    public static Exception Read(ref MessagePackReader reader)
    {
        try
        {
            return ReadCore(ref reader, 0);
        }
        catch (Exception exception) when (exception is ArgumentException or OverflowException or InvalidOperationException or DecoderFallbackException)
        {
            // The reader's own checks can surface as these on hostile input (e.g. an out-of-range extension length).
            throw new MessagePackSerializationException($"Malformed exception payload: {exception.Message}", exception);
        }
    }

    private static Exception ReadCore(ref MessagePackReader reader, int depth)
    {
        if (depth > MaxDepth || reader.ReadArrayHeader() != 4)
        {
            throw new MessagePackSerializationException("Malformed exception payload.");
        }

        string typeName = reader.ReadString() ?? typeof(Exception).FullName!;
        string message = reader.ReadString() ?? string.Empty;
        string? stackTrace = reader.ReadString();
        Exception? inner = reader.TryReadNil() ? null : ReadCore(ref reader, depth + 1);
        return Rebuild(typeName, message, stackTrace, inner);
    }

    /// <summary>Whether a payload carries an <see cref="OutOfMemoryException"/>, read without rebuilding it.</summary>
    public static bool IsOutOfMemory(System.Buffers.ReadOnlySequence<byte> payload)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            return reader.ReadArrayHeader() == 4 && reader.ReadString() == typeof(OutOfMemoryException).FullName;
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>Rebuilds the exception in <paramref name="bytes"/>; a malformed payload throws <see cref="MessagePackSerializationException"/>.</summary>
    public static Exception FromBytes(ReadOnlyMemory<byte> bytes) => FromBytes(new System.Buffers.ReadOnlySequence<byte>(bytes));

    /// <inheritdoc cref="FromBytes(ReadOnlyMemory{byte})"/>
    public static Exception FromBytes(System.Buffers.ReadOnlySequence<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Read(ref reader);
    }

    /// <summary>The exception written alone, as a payload.</summary>
    public static byte[] ToBytes(Exception exception)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, exception);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static Exception Rebuild(string typeName, string message, string? stackTrace, Exception? inner)
    {
        Exception exception = TryCreate(FindLoadedExceptionType(typeName), message, inner)
            ?? new RemoteException(typeName, message, stackTrace, inner);
        if (!string.IsNullOrEmpty(stackTrace))
        {
            ExceptionDispatchInfo.SetRemoteStackTrace(exception, stackTrace + Environment.NewLine);
        }

        return exception;
    }

    private static Type? FindLoadedExceptionType(string fullName)
    {
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.GetType(fullName, throwOnError: false) is { } type && typeof(Exception).IsAssignableFrom(type) && !type.IsAbstract)
            {
                return type;
            }
        }

        return null;
    }

    private static Exception? TryCreate(Type? type, string message, Exception? inner)
    {
        if (type is null)
        {
            return null;
        }

        try
        {
            // (string, Exception) first: its string is the message for every exception type, whereas the (string)
            // constructor of e.g. ArgumentNullException takes a parameter name.
            if (type.GetConstructor([typeof(string), typeof(Exception)]) is { } withInner)
            {
                return (Exception)withInner.Invoke([message, inner]);
            }

            return type.GetConstructor([typeof(string)]) is { } withMessage ? (Exception)withMessage.Invoke([message]) : null;
        }
#pragma warning disable CA1031 // A constructor that throws means "cannot rebuild"; RemoteException is used instead.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
