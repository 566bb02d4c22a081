using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Moves large payloads (arguments or results of at least <see cref="Threshold"/> bytes) through a file in shared
/// memory (/dev/shm) instead of the socket: the sender writes it once, the receiver reads it with one system call,
/// then deletes it. Files are created 0600 with the pool's random prefix, so other users cannot read or guess them.
/// </summary>
internal static class SharedMemoryTransport
{
    /// <summary>Payloads this large or larger go through shared memory.</summary>
    public const int Threshold = 1024 * 1024;

    /// <summary>
    /// MessagePack extension type marking "the payload is in this shared-memory file": never produced by the
    /// serializer for values (its built-in extensions are negative or LZ4's 98/99), so it cannot be confused with data.
    /// </summary>
    private const sbyte ReferenceExtension = 77;

    private static long s_counter;

    /// <summary>Writes a reference to a payload file in place of the payload.</summary>
    public static void WriteReference(ref MessagePack.MessagePackWriter writer, string path)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(path);
        writer.WriteExtensionFormat(new MessagePack.ExtensionResult(ReferenceExtension, utf8));
    }

    /// <summary>Reads a reference written by <see cref="WriteReference"/> if that is what comes next; otherwise leaves the reader alone.</summary>
    public static bool TryReadReference(ref MessagePack.MessagePackReader reader, out string path)
    {
        path = string.Empty;
        if (reader.NextMessagePackType != MessagePack.MessagePackType.Extension)
        {
            return false;
        }

        MessagePack.MessagePackReader peek = reader.CreatePeekReader();
        if (peek.ReadExtensionFormatHeader().TypeCode != ReferenceExtension)
        {
            return false;
        }

        MessagePack.ExtensionResult extension = reader.ReadExtensionFormat();
        path = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(extension.Data));
        return true;
    }

    /// <summary>The directory for payload files: /dev/shm where it exists (memory-backed), else the temp directory.</summary>
    public static string Directory { get; } = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Writes <paramref name="payload"/> to a new file named with <paramref name="prefix"/>; returns its path.</summary>
    public static string Write(string prefix, ReadOnlySpan<byte> payload)
    {
        string path = $"{prefix}{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            PreallocationSize = payload.Length,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(payload);
        return path;
    }

    /// <summary>Reads the file into a pooled buffer, lets <paramref name="read"/> consume it, then deletes the file.</summary>
    /// <remarks>
    /// One read() system call copies the file at memory speed; mapping it instead costs a page fault per 4 KB page,
    /// which for tens of megabytes takes several times longer.
    /// </remarks>
    public static T ReadAndDelete<T>(string path, Func<ReadOnlySequence<byte>, T> read)
    {
        byte[]? buffer = null;
        try
        {
            int length;
            using (SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
            {
                length = checked((int)RandomAccess.GetLength(file));
                buffer = ArrayPool<byte>.Shared.Rent(length);
                for (int done = 0; done < length;)
                {
                    int count = RandomAccess.Read(file, buffer.AsSpan(done, length - done), done);
                    done += count > 0 ? count : throw new EndOfStreamException($"The payload file {path} ended after {done} of {length} bytes.");
                }
            }

            return read(new ReadOnlySequence<byte>(buffer, 0, length));
        }
        finally
        {
            Delete(path);
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Deletes a payload file if it still exists (the receiver normally deletes it first).</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Deletes every payload file left with this prefix (e.g. by a worker that died mid-transfer).</summary>
    public static void DeleteAll(string prefix)
    {
        string? directory = Path.GetDirectoryName(prefix);
        if (directory is null || !System.IO.Directory.Exists(directory))
        {
            return;
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(directory, Path.GetFileName(prefix) + "*"))
        {
            Delete(path);
        }
    }
}
