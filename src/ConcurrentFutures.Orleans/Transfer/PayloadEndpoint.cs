namespace ConcurrentFutures.Orleans;

/// <summary>Where a silo takes large payloads (<see cref="PayloadProtocol"/>), and the key that opens a connection.</summary>
[GenerateSerializer, Immutable, Alias("ConcurrentFutures.PayloadEndpoint")]
internal sealed class PayloadEndpoint
{
    [Id(0)]
    public required string Host { get; init; }

    [Id(1)]
    public required int Port { get; init; }

    [Id(2)]
    public required byte[] Key { get; init; }

    public override string ToString() => $"{Host}:{Port}";
}
