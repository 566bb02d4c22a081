namespace ConcurrentFutures.Processes;

/// <summary>The environment variables through which a pool tells a worker process where and who it is.</summary>
internal static class WorkerEnvironment
{
    /// <summary>Path of the pool's Unix domain socket (in a 0700 directory).</summary>
    public const string Socket = "CONCURRENTFUTURES_WORKER_SOCKET";

    /// <summary>Per-pool random token, hex; the worker's first frame must carry it.</summary>
    public const string Token = "CONCURRENTFUTURES_WORKER_TOKEN";

    /// <summary>The worker's slot number in the pool, to match the connection to its process.</summary>
    public const string Slot = "CONCURRENTFUTURES_WORKER_SLOT";

    /// <summary>The parent's pid: a worker whose parent is gone exits at once.</summary>
    public const string ParentPid = "CONCURRENTFUTURES_WORKER_PARENT_PID";

    /// <summary>Name prefix for shared-memory files carrying large results.</summary>
    public const string SharedMemoryPrefix = "CONCURRENTFUTURES_WORKER_SHM_PREFIX";

    /// <summary>"1" when the pool enforces a memory limit and wants each result to report the worker's working set.</summary>
    public const string ReportMemory = "CONCURRENTFUTURES_WORKER_REPORT_MEMORY";

    /// <summary>The runtime's own setting: a hard limit on the worker's GC heap, in hex bytes.</summary>
    public const string HeapHardLimit = "DOTNET_GCHeapHardLimit";

    /// <summary>
    /// The runtime's own setting: the size (hex bytes) from which an array goes to the large-object heap. Processes the
    /// library starts run with <see cref="LargeObjectThresholdDefault"/> unless the app chose its own.
    /// </summary>
    public const string LargeObjectThreshold = "DOTNET_GCLOHThreshold";

    /// <summary>
    /// 2 MB, hex: arguments and results up to that size are new arrays in gen0, reused after each gen0 collection.
    /// With the runtime's default (85,000 bytes) each one is a large-object-heap allocation, a gen2 collection follows
    /// every few megabytes of them and hands their memory back, and the next ones fault in fresh pages: a worker echoing
    /// 1 MB values collected gen2 every fifth call.
    /// </summary>
    public const string LargeObjectThresholdDefault = "200000";

    /// <summary>
    /// The runtime's own setting: which ICU version to load. Without it a new process looks for the newest ICU by
    /// trying to open each version's library from 90 down, each attempt a search of the linker's cache (a new pool's
    /// first result, measured: ~2 ms of ~92; ~3 ms while workers still compiled their first call on a second thread).
    /// </summary>
    public const string IcuVersion = "DOTNET_ICU_VERSION_OVERRIDE";

    /// <summary>The ICU this process loaded, read once: children load the same one (the newest installed, as their own search would find).</summary>
    private static readonly Lazy<string?> s_icuVersion = new(IcuVersionForChildren);

    /// <summary>
    /// The settings every process the library starts gets unless this process sets them itself (in its environment,
    /// which children inherit, or in its runtimeconfig, which they share).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> RuntimeDefaults()
    {
        if (AppContext.GetData("System.GC.LOHThreshold") is null
            && Environment.GetEnvironmentVariable(LargeObjectThreshold) is null
            && Environment.GetEnvironmentVariable("COMPlus_GCLOHThreshold") is null)
        {
            yield return new(LargeObjectThreshold, LargeObjectThresholdDefault);
        }

        if (s_icuVersion.Value is { } icu)
        {
            yield return new(IcuVersion, icu);
        }
    }

    private static string? IcuVersionForChildren()
    {
        // The app's own choice stands: a version it set, an ICU it ships (loaded from its folder), invariant mode.
        if (Environment.GetEnvironmentVariable(IcuVersion) is not null
            || Environment.GetEnvironmentVariable("CLR_ICU_VERSION_OVERRIDE") is not null
            || AppContext.GetData("System.Globalization.AppLocalIcu") is not null)
        {
            return null;
        }

        return Platform.NativeMethods.LoadedIcuMajorVersion();
    }
}
