using ConcurrentFutures.Samples.ClusterWorker;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// Work that crashes or hangs, on silos in their own processes: it costs a worker process of a silo, never the silo,
/// and fails only its own future — after <see cref="ClusterExecutorOptions.MaxAttempts"/>, naming each death.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)]
public class IsolationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task PoisonAndHungTasks_FailOnlyThemselves_BothSilosLive_AndAMapRightAfterReturnsEverything()
    {
        using SiloProcess primary = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess secondary = await SiloProcess.StartLocalhostAsync(primary);
        using ClusterExecutor executor = await ConnectAsync(new ClusterExecutorOptions(), primary, secondary);
        await WaitForSilosAsync(executor, 2);

        var crashing = executor.Submit(FaultyWork.FailFast, 1);
        var overflowing = executor.Submit(FaultyWork.OverflowTheStack, 0);
        var fine = executor.Map(SampleWork.SlowSquare, Enumerable.Range(0, 200), Patience, chunkSize: 10).ToList();

        var crashed = Assert.Throws<BrokenExecutorException>(() => crashing.Result(Patience));
        Assert.Contains("FaultyWork.FailFast killed the worker process running it on each of its 3 attempts", crashed.Message, StringComparison.Ordinal);
        Assert.Contains("Attempt 3, on silo", crashed.Message, StringComparison.Ordinal);
        Assert.Contains("signal 6", crashed.Message, StringComparison.Ordinal); // FailFast aborts
        var overflowed = Assert.Throws<BrokenExecutorException>(() => overflowing.Result(Patience));
        Assert.Contains("FaultyWork.OverflowTheStack killed the worker process", overflowed.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 200).Select(x => (long)x * x), fine);

        using (ClusterExecutor impatient = await ConnectAsync(new ClusterExecutorOptions { TaskTimeout = TimeSpan.FromSeconds(2), MaxAttempts = 2 }, primary, secondary))
        {
            await WaitForSilosAsync(impatient, 2);
            var hung = Assert.Throws<TimeoutException>(() => impatient.Submit(FaultyWork.Hang, 1).Result(Patience));
            Assert.Contains("2 attempts", hung.Message, StringComparison.Ordinal);
        }

        Assert.False(primary.HasExited, primary.Output);
        Assert.False(secondary.HasExited, secondary.Output);
        const int Items = 10_000;
        Assert.Equal(Enumerable.Range(0, Items).Select(x => (long)x * x), executor.Map(SampleWork.SlowSquare, Enumerable.Range(0, Items), Patience, chunkSize: 10));
    }

    [Fact]
    public async Task AGracefulSiloStopMidMap_LosesNothing_AndCostsNoAttempt()
    {
        using SiloProcess primary = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess secondary = await SiloProcess.StartLocalhostAsync(primary);
        var (loggerFactory, log) = ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider.CreateFactory();
        using (loggerFactory)
        {
            // One attempt only: a call the stopping silo held must be finished or handed back, never lost.
            using ClusterExecutor executor = await ConnectAsync(new ClusterExecutorOptions { MaxAttempts = 1, LoggerFactory = loggerFactory }, primary, secondary);
            await WaitForSilosAsync(executor, 2);
            const int Items = 10_000;
            var results = new List<long>(Items);
            foreach (long result in executor.Map(SampleWork.SlowSquare, Enumerable.Range(0, Items), Patience, chunkSize: 10))
            {
                results.Add(result);
                if (results.Count == Items / 4)
                {
                    secondary.Terminate();
                }
            }

            Assert.Equal(Enumerable.Range(0, Items).Select(x => (long)x * x), results);
            Assert.False(log.Has("CallFailed"));
            Assert.Equal(0, secondary.WaitForExit(Patience));
            Assert.False(primary.HasExited, primary.Output);
        }
    }

    [Fact]
    public async Task AHungTask_HasItsWorkerKilled_SoTheSilosOnlyWorkerServesAgain()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null, "--max-workers", "1");
        using (ClusterExecutor impatient = await ConnectAsync(new ClusterExecutorOptions { TaskTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 1 }, silo))
        {
            Assert.Throws<TimeoutException>(() => impatient.Submit(FaultyWork.Hang, 1).Result(Patience));
        }

        // Had the hung call been left running, the silo's only worker would never serve again.
        using ClusterExecutor executor = await ConnectAsync(new ClusterExecutorOptions { TaskTimeout = TimeSpan.FromSeconds(60) }, silo);
        Assert.Equal(49L, executor.Submit(SampleWork.SlowSquare, 7).Result(Patience));
        Assert.False(silo.HasExited, silo.Output);
    }

    [Fact]
    public async Task InSiloExecution_IsAnExplicitOptIn_AndMovesLargeValues()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null, "--in-silo");
        using ClusterExecutor executor = await ConnectAsync(new ClusterExecutorOptions(), silo);
        string where = executor.Submit(SampleWork.WhereAmI, 1).Result(Patience);
        Assert.Contains($"ran in process {silo.Pid} ", where, StringComparison.Ordinal); // the silo's own process

        // Large values take the payload port in this mode too: the result from the silo's own memory, not a slab.
        byte[] data = new byte[3_000_000];
        Random.Shared.NextBytes(data);
        Assert.True(executor.Submit(SampleWork.Echo, data).Result(Patience).AsSpan().SequenceEqual(data), "The 3 MB value came back different.");
    }

    private static Task<ClusterExecutor> ConnectAsync(ClusterExecutorOptions options, params SiloProcess[] silos) => SiloProcess.ConnectAsync(options, silos);

    private static Task WaitForSilosAsync(ClusterExecutor executor, int count) => SiloProcess.WaitForSilosAsync(executor, count, Patience);
}
