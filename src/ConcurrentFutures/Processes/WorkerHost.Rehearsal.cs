using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Processes;

/// <summary>
/// A standby worker's rehearsal (<see cref="StandbyWorkers"/>): one call through the whole path, with no pool, and the
/// way in, while it waits, so the pool that takes it finds that code compiled. A worker started for a pool does not
/// rehearse: it did, on a second thread while its main thread started up, until its first call no longer needed the
/// runtime's type-name parser — then the two threads contending for the same compiles (and each new page of generated
/// code's mapping change reaching both cores) made a no-op's first result ~5 ms later (median 94.5 against 89.0 ms, five
/// alternating runs of 10 new pools; a first call with a record argument the same either way, ~177 ms).
/// </summary>
internal sealed partial class WorkerHost
{
    /// <summary>A standby's whole rehearsal: a call (<see cref="RehearseCall"/>), then the way in (<see cref="RehearseConnecting"/>).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static void Rehearse()
    {
        RehearseCall();
        RehearseConnecting();
    }

    /// <summary>
    /// Defines and runs <see cref="Rehearsal"/> as a pool would (frames in, result frame out, to nowhere): the
    /// resolver, the call runner and the frame writer are compiled before any pool needs them.
    /// </summary>
    private static void RehearseCall()
    {
        var host = new WorkerHost(string.Empty, [], 0, reportMemory: false, RehearsalFilePrefix) { _connection = Stream.Null };
        FunctionReference function = FunctionReference.OfTheLibrary(new Func<int, int>(Rehearsal));
        host.Handle(WireFormat.ToBytes(new DefineMessage(function.Id, function.Definition)));
        byte[] arguments = CallEncoder.Serialize(static (ref MessagePackWriter w, FunctionReference f) => f.WriteArguments(ref w, [41]), function);
        host.Handle(WireFormat.ToBytes(new RunMessage(1, function.Id, Chunk: false, TraceParent: null, CallEncoder.NoTarget, arguments)));
        host.Flush();
    }

    /// <summary>
    /// The way in as well, which a pool's first call waits for: the task marker a pool leaves for its worker (memory
    /// mapped), the connection over a Unix socket with its hello, and frames taken in by a reader thread of its own as
    /// in <see cref="Run()"/> (which starts its reader after the first call: the code a reader runs is compiled here)
    /// — through a marker of its own, removed after, and a socket in Linux's abstract namespace (its name begins with a
    /// NUL byte: no file, nothing left behind by a standby killed in the middle of its rehearsal, which a socket in a
    /// folder of /tmp was — a SIGKILL runs no cleanup, and a standby has no janitor). Anyone on the machine could
    /// connect to that name while it listens; the rehearsal sends nothing secret (a hello without a token, a stop).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void RehearseConnecting()
    {
        string markerPath = TaskMarker.PathFor(RehearsalFilePrefix, 0);
        try
        {
            TaskMarker.Create(markerPath).Dispose();
            using (TaskMarker? marker = TaskMarker.OpenAndUnlink(markerPath))
            {
                marker?.Started(1);
                marker?.Finished(1);
            }

            string socketName = "\0concurrentfutures-rehearsal-" + CultureFreeDigits.Format(Environment.ProcessId) + "-" + NativeMethods.RandomHex(8);
            var host = new WorkerHost(socketName, [], 0, reportMemory: false, RehearsalFilePrefix);
            var pair = UnixSocketStream.ConnectedPair(socketName);
            using Stream connection = pair.Connecting;
            using UnixSocketStream parentsEnd = pair.Accepted;
            host._connection = connection;
            host._output.Append(new HelloMessage([], 0, Environment.ProcessId));
            host.Flush();

            // The hello frame back and a stop, as a pool's frames come in, read by a reader thread as in Run; then
            // the end, so the reader's read ends rather than waits. Stopping already requested: whatever goes wrong
            // here ends that thread, never this process (a reader that loses its parent ends the process).
            byte[] frame = new byte[1024];
            int length = parentsEnd.Read(frame);
            parentsEnd.Write(frame.AsSpan(0, length));
            var stop = new FrameBuffer(initialCapacity: 256);
            stop.Append(new StopMessage());
            parentsEnd.Write(stop.Written.Span);
            parentsEnd.ShutdownSend();
            host._stopRequested = true;
            Thread reader = host.StartReader(new FrameReader(connection));
            for (int i = 0; i < 2 && host._inbox.TryTake(out _, RehearsalPatience); i++)
            {
            }

            reader.Join(RehearsalPatience);
        }
        finally
        {
            SharedMemoryTransport.Delete(markerPath);
        }
    }

    private static readonly TimeSpan RehearsalPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The rehearsal's files are named as a pool's, <c>cf-{pid}-…</c>, in the same folders: a worker ended in the middle
    /// of its rehearsal (a waiting worker whose app stops, or is killed) cannot remove them, and the next pool's sweep
    /// of files whose process is gone does (<see cref="Platform.StaleFiles"/>). Named otherwise they stayed in /tmp.
    /// </summary>
    private static string RehearsalFilePrefix => $"{SharedMemoryTransport.Directory}/{Platform.StaleFiles.OwnPrefix}rehearsal-";

    private static int Rehearsal(int value) => value + 1;
}
