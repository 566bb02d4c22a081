using ConcurrentFutures.Samples.ClusterWorker;
using ConcurrentFutures.Tests.Diagnostics;
using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// Silos in their own processes (<c>samples/ClusterWorker</c>) on loopback, driven by a <see cref="ClusterExecutor"/>
/// in the test process. Each test starts and kills its own silos.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)] // one real cluster at a time: 2 cores
public class RealClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task KillingASiloMidMap_LosesNothing_AndKeepsInputOrder()
    {
        using SiloProcess primary = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess secondary = await SiloProcess.StartLocalhostAsync(primary);
        var (loggerFactory, log) = CapturingLoggerProvider.CreateFactory();
        using (loggerFactory)
        {
            using ClusterExecutor executor = await ConnectAsync(new ClusterExecutorOptions { LoggerFactory = loggerFactory }, primary, secondary);
            await WaitForSilosAsync(executor, 2);

            const int Items = 10_000;
            var results = new List<long>(Items);
            foreach (long result in executor.Map(SampleWork.SlowSquare, Enumerable.Range(0, Items), Patience, chunkSize: 10))
            {
                results.Add(result);
                if (results.Count == Items / 2)
                {
                    secondary.Kill(); // SIGKILL of the secondary: the primary holds localhost clustering's membership
                }
            }

            Assert.Equal(Enumerable.Range(0, Items).Select(x => (long)x * x), results);
            Assert.True(log.Has("SiloLost") || log.Has("CallRetried"), "The executor should have noticed the lost silo and re-sent its work.");
            Assert.False(log.Has("CallFailed"));
        }
    }

    [Fact]
    public async Task WorkWhoseCodeIsNotOnTheSilo_FailsWithAClearError_AndTheSiloKeepsServing()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null);
        using ClusterExecutor executor = await ConnectAsync(new ClusterExecutorOptions(), silo);

        // Work.Square lives in the tests' assembly, which the sample's silo does not have.
        var error = Assert.Throws<InvalidOperationException>(() => executor.Submit(Work.Square, 3).Result(Patience));
        Assert.Contains("is not deployed here", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy the same application", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Work.Square), error.Message, StringComparison.Ordinal);
        Assert.Equal(49L, executor.Submit(SampleWork.SlowSquare, 7).Result(Patience));
    }

    [RedisFact]
    public async Task TwoSilosAndAClient_FindEachOtherThroughRedis()
    {
        using RedisServer redis = await RedisServer.StartAsync();
        string clusterId = "cf-test-" + Guid.NewGuid().ToString("N")[..8];
        using SiloProcess first = await SiloProcess.StartRedisAsync(redis.ConnectionString, clusterId);
        using SiloProcess second = await SiloProcess.StartRedisAsync(redis.ConnectionString, clusterId);
        using ClusterExecutor executor = await ClusterExecutor.ConnectAsync(new ClusterExecutorOptions { RedisConnectionString = redis.ConnectionString, ClusterId = clusterId });
        await WaitForSilosAsync(executor, 2);

        List<string> lines = executor.Map(SampleWork.WhereAmI, Enumerable.Range(0, 40), Patience).ToList();

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"{i} ran in process "), lines.Select(l => l[..(l.IndexOf("process ", StringComparison.Ordinal) + 8)]));
        Assert.Equal(new[] { first.Pid, second.Pid }.Order(), lines.Select(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order());
        Assert.DoesNotContain(lines, l => l.Contains($"process {first.Pid} ", StringComparison.Ordinal) || l.Contains($"process {second.Pid} ", StringComparison.Ordinal)); // work ran in the silos' workers
    }

    private static Task<ClusterExecutor> ConnectAsync(ClusterExecutorOptions options, params SiloProcess[] silos) => SiloProcess.ConnectAsync(options, silos);

    private static Task WaitForSilosAsync(ClusterExecutor executor, int count) => SiloProcess.WaitForSilosAsync(executor, count, Patience);
}
