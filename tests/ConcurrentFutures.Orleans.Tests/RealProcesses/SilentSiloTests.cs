using System.Diagnostics;
using ConcurrentFutures.Samples.ClusterWorker;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// A silo that is alive but silent — frozen (SIGSTOP) or cut off by the network (iptables) — stalls nothing for long:
/// the executor's own probes notice it within <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/> whatever
/// Orleans' membership says, its calls are re-sent elsewhere without counting an attempt, and the client stops routing
/// calls through it as a gateway. Each run prints the stall it measured.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)]
public class SilentSiloTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    /// <summary>How long the fault lasts before it heals (SIGCONT, rules removed).</summary>
    private static readonly TimeSpan FaultLength = TimeSpan.FromSeconds(30);

    /// <summary>The user the cut-off silo runs as, so that its packets can be dropped by owner: nobody.</summary>
    private const int Nobody = 65534;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public Task ASiloFrozenMidMap_StallsItAFewSecondsAtMost_EveryResultArrivesOnceInOrder_AndTheSiloServesAgainWhenThawed(int silos) =>
        RunAsync(silos, cut: false);

    [PartitionTheory]
    [InlineData(2)]
    [InlineData(3)]
    public Task ASiloCutOffMidMap_StallsItAFewSecondsAtMost_EveryResultArrivesOnceInOrder_AndTheSiloServesAgainWhenHealed(int silos) =>
        RunAsync(silos, cut: true);

    /// <summary>
    /// The silent silo is one of the client's gateways (the client connects through every silo): calls the client
    /// routed through it, whatever silo they were for, must not wait for it either. It is never the primary, which
    /// holds localhost clustering's membership table.
    /// </summary>
    private static async Task RunAsync(int silos, bool cut)
    {
        string fault = cut ? "cut off (iptables)" : "frozen (SIGSTOP)";

        // Orleans' default failure detection: with two silos, the silent one is not declared dead quickly, if at all.
        using SiloProcess primary = await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary: null);
        using SiloProcess? middle = silos > 2 ? await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary) : null;
        using SiloProcess silent = await SiloProcess.StartLocalhostWithDefaultDetectionAsync(primary, cut ? Nobody : null);
        SiloProcess[] gateways = middle is null ? [primary, silent] : [primary, middle, silent];
        var (loggerFactory, log) = ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider.CreateFactory();
        using var logging = loggerFactory;
        using ClusterExecutor executor = await SiloProcess.ConnectAsync(new ClusterExecutorOptions { MaxAttempts = 1, LoggerFactory = loggerFactory }, gateways);
        await SiloProcess.WaitForSilosAsync(executor, silos, Patience);

        const int Items = 30_000;
        var results = new List<long>(Items);
        var sinceLast = Stopwatch.StartNew();
        TimeSpan longestStall = TimeSpan.Zero;
        var faulted = Stopwatch.StartNew();
        LoopbackPartition? partition = null;
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
                    if (cut)
                    {
                        partition = new LoopbackPartition(Nobody, silent.SiloPort, silent.GatewayPort, silent.PayloadPort);
                    }
                    else
                    {
                        silent.Freeze();
                    }

                    faulted.Restart();
                }
            }

            // Every result, once, in order (MaxAttempts = 1: a re-send after silence is not an attempt).
            Assert.Equal(Enumerable.Range(0, Items).Select(x => (long)x * x), results);
            Assert.True(longestStall <= TimeSpan.FromSeconds(15), $"The Map stalled for {longestStall} after the silo was {fault}. The client's log:\n{Dump(log)}\nThe primary silo:\n{primary.Output}");
            Assert.True(log.Has("SiloUnresponsive"), "The Map finished before the executor noticed the silent silo: the test did not test it.");
            Console.WriteLine($"{silos} silos, one (a gateway) {fault} mid-Map: longest stall {longestStall.TotalSeconds:F1} s; Orleans declared it dead by then: {log.Has("SiloLost")}");

            TimeSpan remaining = FaultLength - faulted.Elapsed;
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining);
            }
        }
        finally
        {
            if (cut)
            {
                partition?.Dispose();
                Assert.Empty(LoopbackPartition.Rules());
            }
            else
            {
                silent.Thaw();
            }
        }

        // Healed: it answers again and gets work — or, had Orleans declared it dead meanwhile, it stops itself.
        var clock = Stopwatch.StartNew();
        while (!log.Has("SiloAnswersAgain") && !silent.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
        }

        if (!silent.HasExited)
        {
            Assert.True(log.Has("SiloAnswersAgain"), $"The healed silo was not used again. The client's log:\n{Dump(log)}\nThe healed silo:\n{silent.Output}");

            // The same executor (MaxAttempts = 1): after healing, calls the silent silo was sent long ago may reach it
            // late (a gateway forwards what it held, then their cancellations), and Orleans' connections that lost
            // packets may stay in TCP back-off for a while (calls lost there are re-sent elsewhere); none may cost a
            // result, and the healed silo must run work again soon.
            var serving = Stopwatch.StartNew();
            bool served = false;
            while (!served && serving.Elapsed < TimeSpan.FromSeconds(90))
            {
                List<string> where;
                try
                {
                    where = [.. executor.Map(SampleWork.WhereAmI, Enumerable.Range(0, 32 * silos), TimeSpan.FromSeconds(60))];
                }
                catch (TimeoutException exception)
                {
                    executor.Shutdown(wait: false, cancelFutures: true);
                    Assert.Fail($"After healing: {exception.Message} The client's log:\n{Dump(log)}\nThe primary silo:\n{primary.Output}\nThe healed silo:\n{silent.Output}");
                    throw;
                }

                Assert.Equal(32 * silos, where.Count);
                served = where.Any(line => line.EndsWith($" of silo {silent.Pid}", StringComparison.Ordinal));
            }

            Assert.True(served, $"The healed silo ran no work within {serving.Elapsed} of answering again. The client's log:\n{Dump(log)}");
            Console.WriteLine($"The healed silo ran work again {serving.Elapsed.TotalSeconds:F1} s after it answered again.");
        }

        Console.WriteLine($"After healing: {(silent.HasExited ? "the silo had been declared dead and stopped itself" : "the silo answers and serves again")}; Orleans declared it dead at all: {log.Has("SiloLost")}");
        Assert.False(primary.HasExited, primary.Output);
        Assert.False(middle?.HasExited ?? false, middle?.Output);
    }

    /// <summary>What the executor logged, and Orleans' warnings and errors, in order.</summary>
    private static string Dump(ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider log) =>
        string.Join('\n', log.Entries
            .Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning || e.Category.StartsWith("ConcurrentFutures", StringComparison.Ordinal))
            .Select(e => $"{e.Level} {e.Category} {e.Id.Name}: {e.Message} {e.Exception?.GetType().Name} {e.Exception?.Message}"));
}
