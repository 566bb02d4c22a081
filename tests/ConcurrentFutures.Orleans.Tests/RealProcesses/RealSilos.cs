namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>Tests that start real silo processes run one at a time: the machine may have 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealSilos
{
    public const string Name = "Real silo processes";
}
