namespace ConcurrentFutures.Orleans;

/// <summary>
/// One call or Map chunk sent to a silo: the function reference and the MessagePack payloads the process pool uses
/// (<see cref="Remote.CallEncoder"/>), so both executors share one wire format for the work itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("ConcurrentFutures.WorkRequest")]
internal sealed class WorkRequest
{
    /// <summary>Which method to call (assembly, type, method, closure shape), from <c>FunctionReference.Definition</c>.</summary>
    [Id(0)]
    public required byte[] Definition { get; init; }

    /// <summary>The delegate's target (closure captures), as MessagePack; nil for a static method.</summary>
    [Id(1)]
    public required byte[] Target { get; init; }

    /// <summary>The arguments array, or for a chunk an array of argument arrays, as MessagePack.</summary>
    [Id(2)]
    public required byte[] Arguments { get; init; }

    [Id(3)]
    public bool IsChunk { get; init; }

    /// <summary>The W3C trace context of the submitting span, or null when nobody traces.</summary>
    [Id(4)]
    public string? TraceParent { get; init; }

    /// <summary>A readable name of the function, for messages.</summary>
    [Id(5)]
    public string? Description { get; init; }

    /// <summary>
    /// The client's TaskTimeout: the silo kills the worker process still running the call when it elapses (the client
    /// stops waiting then too, and re-sends or fails the call). Null: no limit.
    /// </summary>
    [Id(6)]
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Set when the target was too large to travel inside the call (<see cref="PayloadProtocol.InlineLimit"/>): the
    /// client put it on the silo's payload port under this id just before the call, and <see cref="Target"/> is empty.
    /// </summary>
    [Id(7)]
    public Guid TargetPayload { get; init; }

    /// <summary>As <see cref="TargetPayload"/>, for the arguments.</summary>
    [Id(8)]
    public Guid ArgumentsPayload { get; init; }

    /// <summary>The client's MaxPayloadBytes: a larger result fails the call on the silo, saying so.</summary>
    [Id(9)]
    public long MaxPayloadBytes { get; init; } = Array.MaxLength;

    /// <summary>This one call (each send has its own): the silo tells the executor, on its payload port, whether it has it.</summary>
    [Id(10)]
    public Guid CallId { get; init; }

    /// <summary>This request as sent as call <paramref name="call"/>, its large parts put on the silo's payload port under the given ids.</summary>
    public WorkRequest ForCall(Guid call, Guid target, Guid arguments) => new()
    {
        CallId = call,
        Definition = Definition,
        Target = target == Guid.Empty ? Target : [],
        Arguments = arguments == Guid.Empty ? Arguments : [],
        IsChunk = IsChunk,
        TraceParent = TraceParent,
        Description = Description,
        Timeout = Timeout,
        TargetPayload = target,
        ArgumentsPayload = arguments,
        MaxPayloadBytes = MaxPayloadBytes,
    };
}
