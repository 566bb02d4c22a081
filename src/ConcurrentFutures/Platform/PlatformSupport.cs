using System.Runtime.Versioning;

namespace ConcurrentFutures.Platform;

/// <summary>
/// Where work in other processes can run. The process pool, <c>Process</c>, <c>Pool</c> and the cross-process queues,
/// pipes, locks and shared memory stand on Linux facilities (futexes, /proc, /dev/shm, the parent-death signal), so
/// their constructors call <see cref="ThrowIfUnsupported"/>; futures, the thread pool and cluster clients run anywhere.
/// </summary>
internal static class PlatformSupport
{
    /// <summary>
    /// An <see cref="AppContext"/> switch that makes this process treat its system as unsupported, as on Windows or
    /// macOS: how the checks, and everything that must work without them, are tested on Linux.
    /// </summary>
    public const string TreatAsUnsupportedSwitch = "ConcurrentFutures.Platform.TreatAsUnsupported";

    /// <summary>True where processes, queues and shared memory work: Linux (and the switch not set).</summary>
    [SupportedOSPlatformGuard("linux")]
    public static bool ProcessesSupported { get; } =
        OperatingSystem.IsLinux() && !(AppContext.TryGetSwitch(TreatAsUnsupportedSwitch, out bool unsupported) && unsupported);

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> naming <paramref name="what"/> unless <see cref="ProcessesSupported"/>.</summary>
    public static void ThrowIfUnsupported(string what)
    {
        if (!ProcessesSupported)
        {
            throw new PlatformNotSupportedException(
                $"{what} needs Linux: ConcurrentFutures runs work in other processes with Linux facilities (futexes, /proc, "
                + $"/dev/shm, the parent-death signal), and this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}. "
                + "Here, futures, ThreadPoolExecutor and ClusterExecutor clients work (the silos run on Linux); for process "
                + "pools and the multiprocessing types, run your app in a Linux container or in WSL.");
        }
    }
}
