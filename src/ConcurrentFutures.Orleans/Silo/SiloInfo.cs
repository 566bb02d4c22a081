namespace ConcurrentFutures.Orleans;

/// <summary>What a client learns about a silo when it joins: its cores (for the default concurrency), its payload port and its gateway.</summary>
[GenerateSerializer, Immutable, Alias("ConcurrentFutures.SiloInfo")]
internal sealed class SiloInfo
{
    [Id(0)]
    public int ProcessorCount { get; init; }

    [Id(1)]
    public required PayloadEndpoint Payloads { get; init; }

    /// <summary>The silo's gateway, if it has one: calls routed through it stop when the silo goes silent.</summary>
    [Id(2)]
    public SiloAddress? Gateway { get; init; }
}
