using ConcurrentFutures.Processes;
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

    [Theory]
    [InlineData(PayloadProtocol.InlineLimit - 64)] // inside the grain call
    [InlineData(PayloadProtocol.InlineLimit + 1)] // beside it, through the silo's payload port
    [InlineData(SharedMemoryTransport.Threshold - 64)] // serialized just below it: the payload port, then silo to worker through the socket
    [InlineData(SharedMemoryTransport.Threshold)] // straight into the worker's slab and back from it (this client is on the silos' machine); or over the payload port, back with sendfile
    [InlineData(3_000_000)]
    public void ValuesOfAnySize_ReachTheSiloAndComeBack_AsArgumentsCapturesResultsAndMapChunks(int size)
    {
        byte[] data = new byte[size];
        Random.Shared.NextBytes(data);
        foreach (bool share in new[] { true, false })
        {
            using var executor = new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { ShareMemoryWithLocalSilos = share });
            Assert.Equal(data, executor.Submit(static (byte[] d) => d, data).Result(Patience)); // argument and result
            long shared = executor.SharedMemoryBytes;
            Assert.Equal(data.Sum(b => (long)b), executor.Submit(() => data.Sum(b => (long)b)).Result(Patience)); // a captured array
            byte[][] items = [.. Enumerable.Range(0, 6).Select(i => data[..(size / 3)])];
            Assert.Equal(items.Select(i => i.Length), executor.Map(static (byte[] d) => d.Length, items, Patience, chunkSize: 3)); // chunks of 3 items
            Assert.Equal(0, cluster.HeldPayloads); // taken as soon as they arrived

            // Through the silo worker's shared memory both ways when asked to and large enough; else over the connection.
            Assert.True(share && size >= SharedMemoryTransport.Threshold ? shared >= 2L * size : executor.SharedMemoryBytes == 0, $"{shared:N0} bytes through shared memory");
        }
    }

    [Fact]
    public void AValueAboveMaxPayloadBytes_FailsAtOnce_NamingItsSizeAndTheLimit()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxPayloadBytes = 1_000_000 });
        var sent = Assert.Throws<ArgumentException>(() => executor.Submit(static (byte[] d) => d.Length, new byte[1_000_000]));
        Assert.Contains("arguments of", sent.Message, StringComparison.Ordinal);
        Assert.Contains("1,000,0", sent.Message, StringComparison.Ordinal); // the size, with MessagePack's few bytes of framing
        Assert.Contains("above the executor's MaxPayloadBytes of 1,000,000", sent.Message, StringComparison.Ordinal);

        var returned = Assert.Throws<InvalidOperationException>(() => executor.Submit(static (int n) => new byte[n], 2_000_000).Result(Patience));
        Assert.Contains("The result of", returned.Message, StringComparison.Ordinal);
        Assert.Contains("2,000,0", returned.Message, StringComparison.Ordinal);
        Assert.Contains("above the executor's MaxPayloadBytes of 1,000,000", returned.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxPayloadBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxPayloadBytes = Array.MaxLength + 1L }));
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
