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
}
