using System.Diagnostics;
using ConcurrentFutures.Samples.ClusterWorker;

namespace ConcurrentFutures.Orleans.Tests;

/// <summary>
/// Loses calls on their way into a silo, as a gateway cut off and back can (its connection in TCP back-off): while
/// armed, the next work calls reaching a silo are held before they reach the slot grain, so the silo never learns of
/// them, and are never answered. Released at the end of the test that armed it.
/// </summary>
public static class LostCalls
{
    private static int s_toLose;
    private static TaskCompletionSource s_release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static void Arm(int calls)
    {
        s_release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref s_toLose, calls);
    }

    /// <summary>Ends the held calls (they fail; nobody waits for them any more).</summary>
    public static void Release()
    {
        Volatile.Write(ref s_toLose, 0);
        s_release.TrySetException(new OperationCanceledException("released by the test"));
    }

    public static async Task InvokeAsync(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IWorkSlotGrain.Run) && Interlocked.Decrement(ref s_toLose) >= 0)
        {
            await s_release.Task;
        }

        await context.Invoke();
    }
}

[Collection(SharedTwoSiloCluster.Name)]
public class LostCallTests(TwoSiloCluster cluster)
{
    [Fact]
    public void ACallLostOnItsWayIntoASilo_IsNoticedByAskingTheSilo_AndReSent_WithoutCostingAnAttempt()
    {
        var (loggerFactory, log) = ConcurrentFutures.Tests.Diagnostics.CapturingLoggerProvider.CreateFactory();
        using var logging = loggerFactory;
        LostCalls.Arm(2);
        var executor = new ClusterExecutor(cluster.Cluster.Client, new ClusterExecutorOptions { MaxAttempts = 1, SiloUnresponsiveTimeout = TimeSpan.FromSeconds(1), LoggerFactory = loggerFactory });
        try
        {
            var clock = Stopwatch.StartNew();
            List<int> results = [.. executor.Map(SampleWork.NoOp, Enumerable.Range(0, 8), TimeSpan.FromSeconds(60))];

            Assert.Equal(Enumerable.Range(0, 8), results); // before: the Map waited forever for the two lost calls
            Assert.Contains(log.Entries, e => e.Id.Name == "CallRetried" && e.Message.Contains("never got it", StringComparison.Ordinal));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The lost calls took {clock.Elapsed} to be noticed.");
        }
        finally
        {
            LostCalls.Release(); // first: a failing run must not leave the executor waiting for them
            executor.Dispose();
        }
    }
}
