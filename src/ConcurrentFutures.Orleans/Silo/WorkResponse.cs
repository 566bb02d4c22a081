using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// What a silo sends back: the result (as MessagePack), the exception (as an exception payload), or that the worker
/// process running the call died (<see cref="WorkerDeath"/>: the call may be sent again, as an attempt).
/// </summary>
[GenerateSerializer, Immutable, Alias("ConcurrentFutures.WorkResponse")]
internal sealed class WorkResponse
{
    [Id(0)]
    public bool Ok { get; init; }

    /// <summary>The result (an array of results for a chunk) when <see cref="Ok"/>, else an <c>ExceptionPayload</c>.</summary>
    [Id(1)]
    public required byte[] Payload { get; init; }

    /// <summary>Where and how the worker process running the call died (silo, exit code or signal); null otherwise.</summary>
    [Id(2)]
    public string? WorkerDeath { get; init; }

    /// <summary>
    /// True when the silo is stopping and did not run (or finish) the call: the client sends it elsewhere without
    /// counting an attempt.
    /// </summary>
    [Id(3)]
    public bool HandedBack { get; init; }

    /// <summary>
    /// Set when the payload was too large to travel inside the answer: the silo keeps it for the client to take from its
    /// payload port under this id, and <see cref="Payload"/> is empty.
    /// </summary>
    [Id(4)]
    public Guid PayloadId { get; init; }

    /// <summary>
    /// On the client only (never sent): the large payload taken from the silo's payload port, in a pooled buffer that
    /// is returned once the future is completed from it; <see cref="Payload"/> is empty then.
    /// </summary>
    public PooledPayload? Taken { get => _taken; init => _taken = value; }

    [NonSerialized]
    private readonly PooledPayload? _taken;
}
