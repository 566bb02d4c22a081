using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Orleans.Tests;

[Collection(SharedTwoSiloCluster.Name)]
public class ClusterExecutorTests(TwoSiloCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Work_IsSpreadOverBothSilos()
    {
        var before = WorkSlotGrain.CallsBySilo.ToDictionary(e => e.Key, e => e.Value);
        using (var executor = new ClusterExecutor(cluster.Cluster.Client))
        {
            Assert.Equal(Enumerable.Range(0, 400).Select(Work.Square), executor.Map(Work.Square, Enumerable.Range(0, 400), Patience, chunkSize: 10));
        }

        var ran = WorkSlotGrain.CallsBySilo.Where(e => e.Value > before.GetValueOrDefault(e.Key)).Select(e => e.Key).ToList();
        Assert.Equal(2, ran.Count);
        Assert.Equal(cluster.Cluster.GetActiveSilos().Select(s => s.SiloAddress).Order(), ran.Order());
    }

    [Fact]
    public void RemoteException_KeepsItsTypeAndTheSilosStackTrace()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client);
        var exception = Assert.Throws<InvalidOperationException>(() => executor.Submit(Work.FailOnFive, 5).Result(Patience));
        Assert.Contains("item 5 failed", exception.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Work.FailOnFive), exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnsendableWork_IsRejectedAtSubmit_NamingTheCapture()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client);
        using var stream = new MemoryStream();
        var error = Assert.Throws<ArgumentException>(() => executor.Submit(() => stream.ReadByte()));
        Assert.Contains("stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CapturedValues_AreCopiedToTheSilo()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client);
        int offset = 100;
        string label = "n";
        Assert.Equal("n105", executor.Submit(x => label + (x + offset), 5).Result(Patience));
    }

    [Fact]
    public void TaskTimeout_FailsWithTimeoutException_AfterMaxAttempts()
    {
        using (var warm = new ClusterExecutor(cluster.Cluster.Client))
        {
            warm.Map(Work.Square, Enumerable.Range(0, 8), Patience).ToList(); // the silos' worker processes are up: only the sleep can time out
        }

        using var executor = new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { TaskTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 });
        var error = Assert.Throws<TimeoutException>(() => executor.Submit(Work.SleepThenReturn, 3_000).Result(Patience));
        Assert.Contains("2 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(49, executor.Submit(Work.Square, 7).Result(Patience)); // the executor keeps serving
    }

    [Fact]
    public void MaxConcurrency_CapsTheCallsInFlight()
    {
        WorkSlotGrain.ResetPeak();
        using (var executor = new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxConcurrency = 3 }))
        {
            Assert.All(executor.Map(Work.SleepThenReturn, Enumerable.Repeat(30, 24), Patience), r => Assert.Equal(30, r));
        }

        Assert.InRange(WorkSlotGrain.PeakRunning, 1, 3);
    }

    [Fact]
    public void InvalidOptions_AreRejected_NamingTheOption()
    {
        Assert.Equal("options.MaxAttempts", Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxAttempts = 0 })).ParamName);
        Assert.Equal("options.MaxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxConcurrency = -1 })).ParamName);
        Assert.Equal("options.TaskTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { TaskTimeout = TimeSpan.Zero })).ParamName);
        Assert.Throws<ArgumentNullException>(() => new ClusterExecutor(null!));
    }
}
