using System.Diagnostics;
using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Processes;

/// <summary>
/// One dispatch to a worker process: a call or a chunk, with its target and arguments already serialized (at
/// Submit, so unsendable work fails there). Owned by the pool's lock while queued or in flight.
/// </summary>
internal sealed class RemoteTask : DispatchedTask
{
    private static long s_nextId;

    public RemoteTask(WorkItem item, FunctionReference function, byte[] target, byte[] arguments, bool isChunk)
        : base(item)
    {
        Id = Interlocked.Increment(ref s_nextId);
        (Function, Target, Arguments, IsChunk) = (function, target, arguments, isChunk);
    }

    public long Id { get; }

    public override string Description => Function.Describe();

    public FunctionReference Function { get; }

    /// <summary>The delegate's target (closure captures), as MessagePack.</summary>
    public byte[] Target { get; }

    /// <summary>The arguments array (for a chunk, an array of argument arrays), as MessagePack.</summary>
    public byte[] Arguments { get; }

    public bool IsChunk { get; }

    /// <summary>The arguments wait in shared memory (<see cref="SharedMemoryTransport.Threshold"/> or more): a task that moves that much is not a short one.</summary>
    public bool LargeArguments { get; init; }

    /// <summary>The W3C trace context a relayed call came with (a local call's is its observation's).</summary>
    public string? TraceParent { get; init; }

    /// <summary>How many workers died while holding this task (without it being the one they ran).</summary>
    public int WorkerDeaths { get; set; }

    /// <summary>When the task started running in its worker (became the oldest of its in-flight tasks), as a timestamp.</summary>
    public long StartedAt { get; set; }

    public TimeSpan RunningFor => StartedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(StartedAt);
}
