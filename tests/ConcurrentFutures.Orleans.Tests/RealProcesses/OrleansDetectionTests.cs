using System.Diagnostics;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// How fast Orleans' own membership declares a frozen silo dead, by cluster size and settings — the figure beside the
/// executor's own detection (<see cref="SilentSiloTests"/>). Each run prints what it measured. The executor does not
/// wait for this: it stops sending to a silent silo after <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/>.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)]
public class OrleansDetectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(2, true, 20)]
    [InlineData(3, true, 20)]
    [InlineData(3, false, 120)]
    [InlineData(2, false, 150)]
    public async Task AFrozenSilo_IsDeclaredDeadByOrleans_WithinTheTimeItsSettingsGive(int silos, bool fast, int withinSeconds)
    {
        using SiloProcess primary = fast ? await SiloProcess.StartLocalhostAsync(primary: null) : await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary: null);
        using SiloProcess? middle = silos < 3 ? null : fast ? await SiloProcess.StartLocalhostAsync(primary) : await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary);
        using SiloProcess frozen = fast ? await SiloProcess.StartLocalhostAsync(primary) : await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary);
        var (loggerFactory, log) = ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider.CreateFactory();
        using var logging = loggerFactory;
        using ClusterExecutor executor = await SiloProcess.ConnectAsync(new ClusterExecutorOptions { LoggerFactory = loggerFactory }, primary);
        await SiloProcess.WaitForSilosAsync(executor, silos, Patience);

        frozen.Freeze();
        var clock = Stopwatch.StartNew();
        TimeSpan? unresponsive = null;
        while (!log.Has("SiloLost") && clock.Elapsed < TimeSpan.FromSeconds(withinSeconds) + TimeSpan.FromSeconds(5))
        {
            if (unresponsive is null && log.Has("SiloUnresponsive"))
            {
                unresponsive = clock.Elapsed;
            }

            await Task.Delay(100);
        }

        TimeSpan declared = clock.Elapsed;
        bool lost = log.Has("SiloLost");
        frozen.Thaw();
        string settings = fast ? "FastFailureDetection" : "Orleans' default detection";
        Console.WriteLine($"{silos} silos, {settings}: the executor stopped sending after {unresponsive?.TotalSeconds:F1} s; Orleans declared the frozen silo dead {(lost ? $"after {declared.TotalSeconds:F1} s" : $"not within {declared.TotalSeconds:F0} s")} (as read by the client's membership refresh, every 1 s)");
        Assert.True(lost, $"{settings} with {silos} silos did not declare a frozen silo dead within {withinSeconds} s.");
        Assert.True(declared <= TimeSpan.FromSeconds(withinSeconds), $"{settings} with {silos} silos took {declared} to declare a frozen silo dead.");
    }
}
