using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Processes;

/// <summary>A standby worker's rehearsal: one call through the whole path, with no pool, so the real first call finds its code compiled.</summary>
internal sealed partial class WorkerHost
{
    /// <summary>
    /// Defines and runs <see cref="Rehearsal"/> as a pool would (frames in, result frame out, to nowhere): the
    /// resolver, the call runner and the frame writer are compiled before any pool needs them.
    /// </summary>
    public static void Rehearse()
    {
        var host = new WorkerHost(string.Empty, [], 0, reportMemory: false, SharedMemoryTransport.Directory + "/cf-rehearsal-") { _connection = Stream.Null };
        FunctionReference function = FunctionReference.For(new Func<int, int>(Rehearsal));
        host.Handle(WireFormat.ToBytes(new DefineMessage(function.Id, function.Definition)));
        byte[] arguments = CallEncoder.Serialize(static (ref MessagePackWriter w, FunctionReference f) => f.WriteArguments(ref w, [41]), function);
        host.Handle(WireFormat.ToBytes(new RunMessage(1, function.Id, Chunk: false, TraceParent: null, CallEncoder.NoTarget, arguments)));
        host.Flush();
        RehearseConnecting();
    }

    /// <summary>
    /// The way in as well, which a pool's first call waits for: the task marker a pool leaves for its worker (memory
    /// mapped), the connection over a Unix socket with its hello, and a frame read as the reader thread reads them —
    /// through a marker and a socket of its own, removed after.
    /// </summary>
    private static void RehearseConnecting()
    {
        string directory = Directory.CreateTempSubdirectory("cf-rehearsal-").FullName;
        string markerPath = TaskMarker.PathFor($"{SharedMemoryTransport.Directory}/cf-rehearsal-{Environment.ProcessId}-", 0);
        try
        {
            TaskMarker.Create(markerPath).Dispose();
            using (TaskMarker? marker = TaskMarker.OpenAndUnlink(markerPath))
            {
                marker?.Started(1);
                marker?.Finished(1);
            }

            string socketPath = Path.Combine(directory, "rehearsal.sock");
            using System.Net.Sockets.Socket listener = UnixListener.Listen(socketPath, backlog: 1);
            var host = new WorkerHost(socketPath, [], 0, reportMemory: false, SharedMemoryTransport.Directory + "/cf-rehearsal-");
            using Stream connection = UnixSocketStream.Connect(socketPath);
            using System.Net.Sockets.Socket accepted = listener.Accept();
            host._connection = connection;
            host._output.Append(new HelloMessage([], 0, Environment.ProcessId));
            host.Flush();

            // The hello frame back, as a pool's frames come in; then the end, so a short read ends rather than waits.
            byte[] frame = new byte[1024];
            int length = accepted.Receive(frame);
            accepted.Send(frame.AsSpan(0, length));
            accepted.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            _ = new FrameReader(connection).ReadFrame();
        }
        finally
        {
            SharedMemoryTransport.Delete(markerPath);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Rehearsal(int value) => value + 1;
}
