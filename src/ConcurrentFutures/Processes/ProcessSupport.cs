using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Processes;

/// <summary>
/// What every multiprocessing object of this process shares with the prestarted workers: a private directory and the
/// worker launcher.
/// </summary>
internal static class ProcessSupport
{
    private static readonly Lazy<string> s_directory = new(() =>
    {
        string path = PrivateDirectory.Create();
        StaleFiles.SweepOnce(Path.GetDirectoryName(path)!, SharedMemoryTransport.Directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StaleFiles.Delete(path);
        Janitor.Watch(path); // and if this process is killed outright
        return path;
    });

    private static readonly Lazy<WorkerLauncher> s_launcher = new(() => WorkerLauncher.Discover(Directory));

    /// <summary>A 0700 directory for the call files of <c>Multiprocessing.Process</c> children, deleted when this process exits.</summary>
    public static string Directory => s_directory.Value;

    public static WorkerLauncher Launcher => s_launcher.Value;

    /// <summary>
    /// A new path in /dev/shm for a shared object this process creates; the janitor removes it (and files starting
    /// with it) if this process is killed before it does.
    /// </summary>
    public static string NewSharedMemoryPath(string suffix)
    {
        string path = Path.Combine(SharedMemoryTransport.Directory, StaleFiles.NewName() + suffix);
        Janitor.Watch(directory: null, filePrefix: path);
        return path;
    }
}
