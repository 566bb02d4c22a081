using System.Diagnostics;
using ConcurrentFutures.Samples.ClusterWorker;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// Values far above Orleans' message limit (100 MB) travel beside the grain call, through the silo's payload port,
/// in both directions; a silo lost mid-transfer costs a re-send elsewhere, never a hang.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)]
public class LargeValueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task RoundTripsOf150And300MB_ArriveIntact_AsArgumentResultAndMapChunks()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null);
        using ClusterExecutor executor = await SiloProcess.ConnectAsync(new ClusterExecutorOptions(), silo);
        foreach (int megabytes in new[] { 150, 300 })
        {
            byte[] data = RandomBytes(megabytes * 1_000_000);
            byte[] back = executor.Submit(SampleWork.Echo, data).Result(Patience);
            Assert.True(back.AsSpan().SequenceEqual(data), $"The {megabytes} MB value came back different.");
        }

        // Map chunks of 25 × 6 MB (150 MB of arguments per chunk), small results.
        byte[][] items = [.. Enumerable.Range(0, 50).Select(_ => RandomBytes(6_000_000))];
        Assert.Equal(items.Select(SampleWork.Sum), executor.Map(SampleWork.Sum, items, Patience, chunkSize: 25));
        Assert.False(silo.HasExited, silo.Output);
    }

    [Fact]
    public async Task ASiloKilledMidTransfer_CostsAReSendElsewhere_NotAHang()
    {
        using SiloProcess primary = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess secondary = await SiloProcess.StartLocalhostAsync(primary);
        var (loggerFactory, log) = ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider.CreateFactory();
        using var logging = loggerFactory;
        using ClusterExecutor executor = await SiloProcess.ConnectAsync(new ClusterExecutorOptions { LoggerFactory = loggerFactory }, primary, secondary);
        await SiloProcess.WaitForSilosAsync(executor, 2, Patience);

        // Two large calls at once: the least busy silo takes each, so one goes to each silo. The secondary is killed
        // while its value is still on its way (or being echoed back): that call must be sent again, to the primary.
        byte[] first = RandomBytes(300_000_000), second = RandomBytes(300_000_000);
        var clock = Stopwatch.StartNew();
        var futures = new[] { executor.Submit(SampleWork.SlowEcho, first), executor.Submit(SampleWork.SlowEcho, second) };
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        secondary.Kill();

        Assert.True(futures[0].Result(Patience).AsSpan().SequenceEqual(first));
        Assert.True(futures[1].Result(Patience).AsSpan().SequenceEqual(second));
        Assert.True(clock.Elapsed < Patience);
        Assert.True(log.Has("CallRetried"), "The killed silo held no call: the test did not test a re-send.");
        Assert.False(primary.HasExited, primary.Output);
    }

    /// <summary>
    /// A client on the silo's machine writes large values into the slab the silo's worker reads, and reads results from
    /// the one it writes. A client elsewhere — here, one whose /dev/shm is its own — cannot reach the slab the silo
    /// names: its values and results go over the connection instead, and arrive intact.
    /// </summary>
    [Fact]
    public async Task AClientThatCannotReachTheSilosSharedMemory_SendsAndTakesValuesOverTheConnection()
    {
        Assert.True(SiloProcess.OwnSharedMemoryAvailable, "This test needs root and unshare (a /dev/shm of the client's own); CI runs as root.");
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null);
        string gateway = silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using SiloProcess client = await SiloProcess.StartClientInOwnSharedMemoryAsync("--gateway-port", gateway, "--work", "echo", "--megabytes", "1,10", "--repeat", "3");
        Assert.True(client.WaitForExit(Patience) == 0, client.Output); // each value checked as it comes back
        Assert.Contains("echo: 10 MB", client.Output, StringComparison.Ordinal);

        using ClusterExecutor local = await SiloProcess.ConnectAsync(new ClusterExecutorOptions(), silo);
        byte[] data = RandomBytes(10_000_000);
        Assert.True(local.Submit(SampleWork.Echo, data).Result(Patience).AsSpan().SequenceEqual(data));
        Assert.True(local.SharedMemoryBytes >= 2L * data.Length, $"{local.SharedMemoryBytes:N0} bytes through shared memory"); // this one is on the silo's machine
        Assert.False(silo.HasExited, silo.Output);
    }

    private static byte[] RandomBytes(int length)
    {
        byte[] data = GC.AllocateUninitializedArray<byte>(length);
        Random.Shared.NextBytes(data);
        return data;
    }
}
