using System.Diagnostics;

namespace ConcurrentFutures.Tests.Processes;

public class FaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void AWorkerThatDiesInItsInitializer_BreaksThePool_InsteadOfRespawningForever()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, Initializer = WorkerFunctions.CrashWhileInitializing });
        var future = pool.Submit(WorkerFunctions.Pid);
        var exception = Assert.Throws<BrokenProcessPoolException>(() => future.Result(Patience));
        Assert.Contains("exited with code 5", exception.Message, StringComparison.Ordinal);
        Assert.Throws<BrokenProcessPoolException>(() => pool.Submit(WorkerFunctions.Pid));
    }

    [Fact]
    public async Task AWorkerCrashingDuringShutdown_DoesNotHangShutdown()
    {
        var pool = new ProcessPoolExecutor(2);
        var healthy = pool.Submit(WorkerFunctions.PidAfter, 200);
        var crashing = pool.Submit(WorkerFunctions.ExitWith, 9);
        var shutdown = Task.Run(() => pool.Shutdown(wait: true));
        await shutdown.WaitAsync(Patience); // TimeoutException here would mean Shutdown hung after a worker crashed
        Assert.Throws<BrokenProcessPoolException>(() => crashing.Result(TimeSpan.Zero));
        Assert.NotEqual(0, healthy.Result(TimeSpan.Zero));
        Assert.Empty(pool.WorkerProcessIds);
        pool.Dispose();
    }

    [Fact]
    public void AWorkerDyingMidMap_FailsOnlyTheItemItWasRunning_EarlierAndLaterItemsSucceed()
    {
        // Items 0-2 finish in the worker before 3 kills it; their results may still sit in its unsent batch.
        using var pool = new ProcessPoolExecutor(1);
        var futures = Enumerable.Range(0, 8).Select(i => pool.Submit(WorkerFunctions.KillOnThree, i)).ToList();
        for (int i = 0; i < futures.Count; i++)
        {
            if (i == 3)
            {
                var error = Assert.Throws<BrokenProcessPoolException>(() => futures[i].Result(Patience));
                Assert.Contains(nameof(WorkerFunctions.KillOnThree), error.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(i, futures[i].Result(Patience));
            }
        }
    }

    [Fact]
    public void AWorkerDyingWhileWritingItsResult_FailsThatWork_AndThePoolKeepsServing()
    {
        using var pool = new ProcessPoolExecutor(1);
        var dying = pool.Submit(WorkerFunctions.DieWhileWritingResult);
        var after = Enumerable.Range(0, 4).Select(i => pool.Submit(Executors.Work.Square, i)).ToList();
        var error = Assert.Throws<BrokenProcessPoolException>(() => dying.Result(Patience));
        Assert.Contains("signal 9", error.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1, 4, 9], after.Select(f => f.Result(Patience)));
    }

    [Fact]
    public void AWorkerDyingWithWorkQueuedBehindIt_RunsThatWorkOnItsReplacement()
    {
        using var pool = new ProcessPoolExecutor(1);
        var exiting = pool.Submit(WorkerFunctions.ExitWith, 3);
        var queued = Enumerable.Range(0, 20).Select(i => pool.Submit(Executors.Work.Square, i)).ToList();
        Assert.Contains("exited with code 3", Assert.Throws<BrokenProcessPoolException>(() => exiting.Result(Patience)).Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), queued.Select(f => f.Result(Patience)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AWorkerSendingABadFrame_FailsItsWorkWithAClearError_AndIsReplaced(bool oversized)
    {
        using var pool = new ProcessPoolExecutor(1);
        int before = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        var bad = pool.Submit(WorkerFunctions.SendBadFrame, oversized);
        var error = Assert.Throws<BrokenProcessPoolException>(() => bad.Result(Patience));
        Assert.Contains(nameof(WorkerFunctions.SendBadFrame), error.Message, StringComparison.Ordinal);
        Assert.True(SpinWait.SpinUntil(() => ProcessPoolExecutorTests.ProcessIsGone(before), Patience), "the worker that sent a bad frame should be gone");
        Assert.Equal(49, pool.Submit(Executors.Work.Square, 7).Result(Patience));
    }

    [Fact]
    public async Task HungWorker_WithoutTimeout_ShutdownWithoutWaitThenKillWorkers_ReturnsPromptly()
    {
        using var pool = new ProcessPoolExecutor(1);
        var hung = pool.Submit(WorkerFunctions.SleepForever);
        ProcessPoolExecutorTests.WaitForWorker(pool, hung);
        pool.Shutdown(wait: false, cancelFutures: true);
        pool.KillWorkers();
        Assert.Throws<BrokenProcessPoolException>(() => hung.Result(Patience));
        await pool.WhenTerminatedAsync().WaitAsync(Patience);
    }

}

/// <summary>Counts process-wide resources, so it runs alone (no other test class in parallel).</summary>
[Collection(RunsAlone.Name)]
public class LeakTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void CreateAndDisposeCycles_LeaveFileDescriptorsThreadsAndFilesAsTheyWere()
    {
        using (var warm = new ProcessPoolExecutor(1))
        {
            warm.Submit(WorkerFunctions.Pid).Result(Patience);
        }

        Thread.Sleep(200);
        int fds = OpenFileDescriptors();
        int threads = Process.GetCurrentProcess().Threads.Count;
        int files = PoolFiles();
        for (int i = 0; i < 200; i++)
        {
            using var pool = new ProcessPoolExecutor(1);
            pool.Submit(WorkerFunctions.Pid).Result(Patience);
        }

        Thread.Sleep(200);
        Assert.InRange(OpenFileDescriptors(), 0, fds + 5); // a little slack for runtime-owned handles
        Assert.InRange(Process.GetCurrentProcess().Threads.Count, 0, threads + 5);
        Assert.Equal(files, PoolFiles());
    }

    private static int OpenFileDescriptors() =>
        OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : 0;

    private static int PoolFiles() =>
        new[] { Path.GetTempPath(), "/tmp", "/dev/shm" }.Where(Directory.Exists).Distinct()
            .Sum(d => Directory.GetFileSystemEntries(d, $"cf-{Environment.ProcessId}-*").Length);
}

/// <summary>Tests that measure the whole process run in this collection, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Isolated from parallel tests";
}
