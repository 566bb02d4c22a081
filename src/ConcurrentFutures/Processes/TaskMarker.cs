using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Processes;

/// <summary>
/// One worker's record of the task it is running, in an 8-byte file under /dev/shm mapped by the worker and its
/// parent: the worker stores a task's id before running it and the negated id once it is done, with plain memory
/// writes (no system call). A worker sends results in batches, so when it dies the parent may not have received
/// results of tasks that finished; this record tells it exactly which task was running (that one fails) and which
/// finished (they run again), instead of blaming the oldest task it has no result for. The worker deletes the file
/// as soon as it has mapped it, so nothing is left behind whichever side dies. Mapped with <c>mmap</c> itself (see
/// <see cref="Platform.NativeMethods.MapShared"/>): a worker maps it before it connects, on every pool's first result.
/// The parent reads it under its pool's lock, and disposes it there.
/// </summary>
internal sealed unsafe class TaskMarker : IDisposable
{
    /// <summary>Where the 8 bytes are mapped; 0 once disposed.</summary>
    private nint _address;

    /// <summary>The marker's file, deleted at the latest when the marker is disposed.</summary>
    private readonly string _path;

    private TaskMarker(nint address, string path)
    {
        _address = address;
        _path = path;
    }

    /// <summary>The marker file of the worker in <paramref name="slot"/>, under the pool's shared-memory prefix.</summary>
    /// <remarks>No format provider: culture data would load ICU in every worker for it, and a slot is never negative.</remarks>
    public static string PathFor(string sharedMemoryPrefix, int slot) => sharedMemoryPrefix + "task-" + CultureFreeDigits.Format(slot);

    /// <summary>Parent side: creates the file (owner-only) before the worker starts.</summary>
    public static TaskMarker Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, options);
        try
        {
            file.SetLength(sizeof(long));
            return new TaskMarker(Platform.NativeMethods.MapShared(file.SafeFileHandle, sizeof(long)), path); // the mapping outlives the file's handle
        }
        catch
        {
            SharedMemoryTransport.Delete(path);
            throw;
        }
        finally
        {
            file.Dispose();
        }
    }

    /// <summary>Worker side: maps the parent's file and deletes its name; null when there is none (an older parent).</summary>
    public static TaskMarker? OpenAndUnlink(string path)
    {
        try
        {
            var marker = new TaskMarker(Platform.NativeMethods.MapSharedFile(path, sizeof(long)), path);
            SharedMemoryTransport.Delete(path);
            return marker;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The task running (its id), finished last (its id negated), or 0 before the worker started any.</summary>
    public long Read() => Volatile.Read(ref *Slot);

    public void Started(long taskId) => Volatile.Write(ref *Slot, taskId);

    public void Finished(long taskId) => Volatile.Write(ref *Slot, -taskId);

    /// <summary>Unmaps the marker and deletes its file if it is still there (a worker that died before opening it).</summary>
    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            Platform.NativeMethods.Unmap(address, sizeof(long));
        }

        SharedMemoryTransport.Delete(_path);
    }

    private long* Slot
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address == 0, this);
            return (long*)_address;
        }
    }
}
