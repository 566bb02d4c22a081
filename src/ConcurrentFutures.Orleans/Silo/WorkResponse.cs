namespace ConcurrentFutures.Orleans;

/// <summary>What a silo sends back: the result (as MessagePack) or the exception (as an exception payload).</summary>
[GenerateSerializer, Immutable, Alias("ConcurrentFutures.WorkResponse")]
internal sealed class WorkResponse
{
    [Id(0)]
    public bool Ok { get; init; }

    /// <summary>The result (an array of results for a chunk) when <see cref="Ok"/>, else an <c>ExceptionPayload</c>.</summary>
    [Id(1)]
    public required byte[] Payload { get; init; }
}
