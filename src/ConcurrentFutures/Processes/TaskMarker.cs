using System.IO.MemoryMappedFiles;

namespace ConcurrentFutures.Processes;

/// <summary>
/// One worker's record of the task it is running, in an 8-byte file under /dev/shm mapped by the worker and its
/// parent: the worker stores a task's id before running it and the negated id once it is done, with plain memory
/// writes (no system call). A worker sends results in batches, so when it dies the parent may not have received
/// results of tasks that finished; this record tells it exactly which task was running (that one fails) and which
/// finished (they run again), instead of blaming the oldest task it has no result for. The worker deletes the file
/// as soon as it has mapped it, so nothing is left behind whichever side dies.
/// </summary>
internal sealed class TaskMarker : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    /// <summary>The marker's file, deleted at the latest when the marker is disposed.</summary>
    private readonly string _path;

    private TaskMarker(MemoryMappedFile map, string path)
    {
        _map = map;
        _path = path;
        _view = map.CreateViewAccessor(0, sizeof(long));
    }

    /// <summary>The marker file of the worker in <paramref name="slot"/>, under the pool's shared-memory prefix.</summary>
    public static string PathFor(string sharedMemoryPrefix, int slot) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sharedMemoryPrefix}task-{slot}");

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
            return new TaskMarker(MemoryMappedFile.CreateFromFile(file, mapName: null, sizeof(long), MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false), path);
        }
        catch
        {
            file.Dispose();
            SharedMemoryTransport.Delete(path);
            throw;
        }
    }

    /// <summary>Worker side: maps the parent's file and deletes its name; null when there is none (an older parent).</summary>
    public static TaskMarker? OpenAndUnlink(string path)
    {
        try
        {
            var marker = new TaskMarker(MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, sizeof(long), MemoryMappedFileAccess.ReadWrite), path);
            SharedMemoryTransport.Delete(path);
            return marker;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The task running (its id), finished last (its id negated), or 0 before the worker started any.</summary>
    public long Read() => _view.ReadInt64(0);

    public void Started(long taskId) => _view.Write(0, taskId);

    public void Finished(long taskId) => _view.Write(0, -taskId);

    /// <summary>Unmaps the marker and deletes its file if it is still there (a worker that died before opening it).</summary>
    public void Dispose()
    {
        _view.Dispose();
        _map.Dispose();
        SharedMemoryTransport.Delete(_path);
    }
}
