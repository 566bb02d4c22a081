namespace ConcurrentFutures.Orleans;

/// <summary>What a client learns about a silo when it joins: its cores (for the default concurrency) and its payload port.</summary>
[GenerateSerializer, Immutable, Alias("ConcurrentFutures.SiloInfo")]
internal sealed class SiloInfo
{
    [Id(0)]
    public int ProcessorCount { get; init; }

    [Id(1)]
    public required PayloadEndpoint Payloads { get; init; }
}
