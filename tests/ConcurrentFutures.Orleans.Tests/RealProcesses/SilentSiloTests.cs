using System.Diagnostics;
using ConcurrentFutures.Samples.ClusterWorker;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// A silo that is alive but silent (SIGSTOP: frozen) stalls nothing for long: the executor's own probes notice it
/// within <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/> whatever Orleans' membership says, and its calls
/// are re-sent elsewhere without counting an attempt.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)]
public class SilentSiloTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task ASiloFrozenMidMap_StallsItAFewSecondsAtMost_EveryResultArrivesOnceInOrder_AndTheSiloServesAgainWhenThawed()
    {
        // Orleans' default failure detection: with two silos, the frozen one is not declared dead quickly, if at all.
        using SiloProcess primary = await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary: null);
        using SiloProcess secondary = await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary);
        var (loggerFactory, log) = ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider.CreateFactory();
        using var logging = loggerFactory;
        using ClusterExecutor executor = await SiloProcess.ConnectAsync(new ClusterExecutorOptions { MaxAttempts = 1, LoggerFactory = loggerFactory }, primary);
        await SiloProcess.WaitForSilosAsync(executor, 2, Patience);

        const int Items = 30_000;
        var results = new List<long>(Items);
        var sinceLast = Stopwatch.StartNew();
        TimeSpan longestStall = TimeSpan.Zero;
        var frozen = Stopwatch.StartNew();
        try
        {
            foreach (long result in executor.Map(SampleWork.SlowSquare, Enumerable.Range(0, Items), Patience, chunkSize: 10))
            {
                if (results.Count > 0 && sinceLast.Elapsed > longestStall)
                {
                    longestStall = sinceLast.Elapsed;
                }

                results.Add(result);
                sinceLast.Restart();
                if (results.Count == 2_000)
                {
                    secondary.Freeze();
                    frozen.Restart();
                }
            }

            // Every result, once, in order (MaxAttempts = 1: a re-send after silence is not an attempt).
            Assert.Equal(Enumerable.Range(0, Items).Select(x => (long)x * x), results);
            Assert.True(longestStall <= TimeSpan.FromSeconds(15), $"The Map stalled for {longestStall} after the freeze.");
            Assert.True(log.Has("SiloUnresponsive"), "The Map finished before the executor noticed the frozen silo: the test did not test it.");
            Console.WriteLine($"Longest stall after freezing a silo mid-Map: {longestStall.TotalSeconds:F1} s; Orleans declared it dead by then: {log.Has("SiloLost")}");

            TimeSpan remaining = TimeSpan.FromSeconds(30) - frozen.Elapsed;
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining);
            }
        }
        finally
        {
            secondary.Thaw();
        }

        // Thawed: it answers again and gets work — or, had Orleans declared it dead meanwhile, it stops itself.
        var clock = Stopwatch.StartNew();
        while (!log.Has("SiloAnswersAgain") && !secondary.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
        }

        if (!secondary.HasExited)
        {
            Assert.True(log.Has("SiloAnswersAgain"), "The thawed silo was not used again.");

            // A fresh executor with the default attempts: right after a thaw a worker of that silo has been seen killed
            // while running a new call (about 1 run in 9; under investigation, see issue #21), which is not what this
            // part tests — that the thawed silo gets work again.
            using ClusterExecutor after = await SiloProcess.ConnectAsync(new ClusterExecutorOptions(), primary);
            await SiloProcess.WaitForSilosAsync(after, 2, Patience);
            List<string> where = [.. after.Map(SampleWork.WhereAmI, Enumerable.Range(0, 64), Patience)];
            Assert.Contains(where, line => line.EndsWith($" of silo {secondary.Pid}", StringComparison.Ordinal));
        }

        Console.WriteLine($"After the thaw: {(secondary.HasExited ? "the silo had been declared dead and stopped itself" : "the silo answers and serves again")}; Orleans declared it dead at all: {log.Has("SiloLost")}");
        Assert.False(primary.HasExited, primary.Output);
    }
}
