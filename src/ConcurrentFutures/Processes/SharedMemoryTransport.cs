using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Moves large payloads (arguments or results of at least <see cref="Threshold"/> bytes) through a file in shared
/// memory (/dev/shm) instead of the socket: the sender writes it once, the receiver maps it and reads it in place,
/// then deletes it (the message carries a <see cref="Wire.SharedReference"/> instead). Files are created 0600 with the pool's random prefix, so other users cannot read or guess them.
/// </summary>
internal static class SharedMemoryTransport
{
    /// <summary>Payloads this large or larger go through shared memory.</summary>
    public const int Threshold = 256 * 1024;

    private static long s_counter;

    /// <summary>The directory for payload files: /dev/shm where it exists (memory-backed), else the temp directory.</summary>
    public static string Directory { get; } = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Writes <paramref name="payload"/> to a new file named with <paramref name="prefix"/>; returns its path.</summary>
    public static string Write(string prefix, ReadOnlySpan<byte> payload)
    {
        string path = $"{PayloadSlabs.FilePrefix(prefix, Environment.ProcessId)}{Interlocked.Increment(ref s_counter)}";
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

    /// <summary>Maps the file, lets <paramref name="read"/> consume it in place, then deletes it.</summary>
    public static T ReadAndDelete<T>(string path, Func<ReadOnlySequence<byte>, T> read)
    {
        try
        {
            long length = new FileInfo(path).Length;
            if (length == 0)
            {
                return read(ReadOnlySequence<byte>.Empty);
            }

            using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
            using MemoryMappedViewAccessor view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return ReadView(view, checked((int)length), read);
        }
        finally
        {
            Delete(path);
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

    private static unsafe T ReadView<T>(MemoryMappedViewAccessor view, int length, Func<ReadOnlySequence<byte>, T> read)
    {
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            using var memory = new UnmanagedMemory(pointer + view.PointerOffset, length);
            return read(new ReadOnlySequence<byte>(memory.Memory));
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
