using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>Creates connected pairs of <see cref="Connection"/>s. Python: <c>multiprocessing.Pipe</c>.</summary>
[SupportedOSPlatform("linux")]
public static class Pipe
{
    /// <summary>Bytes of each direction's shared-memory ring; larger messages travel through a file of their own.</summary>
    internal const long Capacity = 1024 * 1024;

    /// <summary>Creates a pipe. Python: <c>Pipe(duplex=True)</c>.</summary>
    /// <param name="duplex">True: both ends send and receive. False: the first end only receives, the second only sends.</param>
    /// <returns>
    /// The two ends, <see cref="PipeEnds.First"/> and <see cref="PipeEnds.Second"/> (Python's <c>conn1, conn2</c>);
    /// <c>var (parent, child) = Pipe.Create();</c> works too. Pass either to a <see cref="Process"/> or pool work.
    /// </returns>
    /// <remarks>
    /// Each direction is a ring in shared memory (/dev/shm) that both processes map. Its file is removed once both
    /// ends are in use, or when the creating process exits.
    /// </remarks>
    public static PipeEnds Create(bool duplex = true)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(Pipe));
        string basePath = ProcessSupport.NewSharedMemoryPath(".pipe");
        SharedRing.Create(ConnectionHandle.RingPath(basePath, 0), maxSize: 0, joinable: false, Capacity).Dispose();
        if (duplex)
        {
            SharedRing.Create(ConnectionHandle.RingPath(basePath, 1), maxSize: 0, joinable: false, Capacity).Dispose();
        }

        return new PipeEnds(new Connection(new ConnectionHandle(basePath, 0, duplex)), new Connection(new ConnectionHandle(basePath, 1, duplex)));
    }
}

/// <summary>The two ends of a pipe made by <see cref="Pipe.Create"/>; deconstructs as <c>var (first, second)</c>.</summary>
/// <param name="First">The first end (Python's <c>conn1</c>); of a one-way pipe, the end that receives.</param>
/// <param name="Second">The second end (Python's <c>conn2</c>); of a one-way pipe, the end that sends.</param>
[SupportedOSPlatform("linux")]
public readonly record struct PipeEnds(Connection First, Connection Second);

/// <summary>What crosses a process boundary for one end of a pipe: the pipe's files and which end it is.</summary>
internal sealed record ConnectionHandle(string BasePath, int Side, bool Duplex)
{
    /// <summary>The ring carrying messages to end <paramref name="side"/>.</summary>
    public static string RingPath(string basePath, int side) => basePath + side.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
