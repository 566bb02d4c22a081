using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Orleans;

/// <summary>One call or chunk on its way through the cluster; owned by the dispatcher's lock.</summary>
internal sealed class ClusterTask(WorkItem item, WorkRequest request, PayloadBuffer? largeTarget = null, PayloadBuffer? largeArguments = null) : DispatchedTask(item)
{
    /// <summary>The target, when too large to travel inside the grain call: put on the silo's payload port before each call.</summary>
    public PayloadBuffer? LargeTarget { get; private set; } = largeTarget;

    /// <summary>As <see cref="LargeTarget"/>, for the arguments.</summary>
    public PayloadBuffer? LargeArguments { get; private set; } = largeArguments;

    /// <summary>Gives the large payloads' buffers back once the task is done (no call of it is under way then).</summary>
    public void ReleasePayloads()
    {
        LargeTarget?.Release();
        LargeArguments?.Release();
        (LargeTarget, LargeArguments) = (null, null);
    }

    public WorkRequest Request { get; } = request;

    public override string Description => Request.Description ?? "the call";

    /// <summary>Calls sent so far (each lost silo, lost connection or timeout costs one).</summary>
    public int Attempts { get; set; }

    /// <summary>Failed calls blamed on another silo that was silent at the time (not counted as attempts).</summary>
    public int Reroutes { get; set; }

    /// <summary>Where and how each worker process that ran this task died, in order (for the final error).</summary>
    public List<string>? WorkerDeaths { get; set; }

    /// <summary>Where the current call went, and its slot key; null while queued.</summary>
    public SiloSlots? Silo { get; set; }

    public string? Slot { get; set; }

    /// <summary>Cancels the current call: its per-call timeout, or its silo left the cluster.</summary>
    public CancellationTokenSource? Call { get; set; }

    /// <summary>The id of the current call (each send has its own), which its silo can be asked about.</summary>
    public Guid CallId { get; set; }

    /// <summary>When the current call was dispatched (a timestamp), and how many calls its silo had in flight then, itself included (see <see cref="SiloSlots"/>).</summary>
    public long DispatchedAt { get; set; }

    public int DispatchedBehind { get; set; }

    /// <summary>When the grain call went out and is waited for (a timestamp), or 0 (payloads still being put, or the answer came).</summary>
    public long AwaitingSince;

    /// <summary>When the executor last asked the silo about this call, or the call went out (a timestamp).</summary>
    public long AskedAt { get; set; }

    /// <summary>Why the executor itself ended the call in flight, if it did (see <see cref="CallLoss"/>).</summary>
    public CallLoss Loss { get; set; }
}
