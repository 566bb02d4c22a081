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
    }

    private static int Rehearsal(int value) => value + 1;
}
