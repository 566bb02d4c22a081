using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace ConcurrentFutures.Orleans.Tests;

/// <summary>An in-process Orleans test cluster of two silos running <c>UseClusterWorker()</c>, shared by a test class.</summary>
public sealed class TwoSiloCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>Large payloads the silos hold now (put by clients and not yet claimed, or results not yet taken).</summary>
    public int HeldPayloads => Cluster.Silos.OfType<InProcessSiloHandle>().Sum(s => s.SiloHost.Services.GetRequiredService<SiloPayloadServer>().HeldCount);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.AddSiloBuilderConfigurator<WorkerSilo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class WorkerSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.UseClusterWorker().AddIncomingGrainCallFilter(LostCalls.InvokeAsync);
    }
}

[CollectionDefinition(Name)]
public sealed class SharedTwoSiloCluster : ICollectionFixture<TwoSiloCluster>
{
    public const string Name = "Two-silo test cluster";
}
