using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Orleans.Tests;

/// <summary>The contract the thread and process pools pass, against a two-silo cluster.</summary>
[Collection(SharedTwoSiloCluster.Name)]
public class ClusterExecutorContractTests(TwoSiloCluster cluster) : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers = 2) =>
        new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxConcurrency = maxWorkers, MembershipRefreshInterval = TimeSpan.FromMilliseconds(200) });
}
