using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>Prestarted workers are shared by the whole test process, so these tests run alone.</summary>
[Collection(RunsAlone.Name)]
public sealed class PrestartTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public void Dispose()
    {
        Assert.True(StandbyWorkers.ParentRehearsal.Wait(Patience), "the rehearsal pool did not finish"); // later tests count files and threads
        int[] waiting = StandbyWorkers.WaitingProcessIds;
        ProcessPoolExecutor.PrestartWorkers(0);
        Assert.All(waiting, pid => Assert.True(SpinWait.SpinUntil(() => ProcessPoolExecutorTests.ProcessIsGone(pid), Patience), $"waiting worker {pid} did not end"));
    }

    [Fact]
    public void APrestartedWorker_ServesTheNextPool_AndIsReplaced()
    {
        ProcessPoolExecutor.PrestartWorkers(1);
        int standby = WaitForStandby();
        using (var pool = new ProcessPoolExecutor(2))
        {
            List<int> pids = Enumerable.Range(0, 4).Select(_ => pool.Submit(WorkerFunctions.PidAfter, 200)).ToList().Select(f => f.Result(Patience)).ToList();
            Assert.Contains(standby, pids);
            Assert.Equal(2, pids.Distinct().Count()); // the second worker: a waiting replacement, or a process of its own
            Assert.Equal(9, pool.Submit(Executors.Work.Square, 3).Result(Patience));
            Assert.True(SpinWait.SpinUntil(() => StandbyWorkers.WaitingProcessIds.Length == 1, Patience), "a replacement should be waiting");
            Assert.DoesNotContain(StandbyWorkers.WaitingProcessIds[0], pids);
        }

        Assert.True(ProcessPoolExecutorTests.ProcessIsGone(standby), "the adopted worker belongs to its pool and ends with it");
    }

    [Fact]
    public void APrestartedWorker_RunsThePoolsInitializer()
    {
        ProcessPoolExecutor.PrestartWorkers(1);
        int standby = WaitForStandby();
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, Initializer = WorkerFunctions.Initialize, InitializerArgs = ["prestarted"] });
        Assert.Equal("prestarted", pool.Submit(WorkerFunctions.InitializedWith).Result(Patience));
        Assert.Equal(standby, pool.Submit(WorkerFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void APoolWithAHeapLimit_StartsItsOwnWorkers()
    {
        ProcessPoolExecutor.PrestartWorkers(1);
        int standby = WaitForStandby();
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerHeapBytes = 256L * 1024 * 1024 });
        Assert.NotEqual(standby, pool.Submit(WorkerFunctions.Pid).Result(Patience));
        Assert.Equal([standby], StandbyWorkers.WaitingProcessIds);
    }

    [Fact]
    public void StoppingPrestart_EndsTheWaitingWorkers()
    {
        ProcessPoolExecutor.PrestartWorkers(2);
        Assert.True(SpinWait.SpinUntil(() => StandbyWorkers.WaitingProcessIds.Length == 2, Patience));
        int[] waiting = StandbyWorkers.WaitingProcessIds;
        ProcessPoolExecutor.PrestartWorkers(0);
        Assert.Empty(StandbyWorkers.WaitingProcessIds);
        Assert.All(waiting, pid => Assert.True(SpinWait.SpinUntil(() => ProcessPoolExecutorTests.ProcessIsGone(pid), Patience), $"waiting worker {pid} did not end"));
    }

    [Fact]
    public void StoppingPrestart_WhileWorkersAreStillStarting_LeavesNoneBehind()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // reads /proc
        }

        ProcessPoolExecutor.PrestartWorkers(3);
        Assert.True(SpinWait.SpinUntil(() => StandbyChildren().Length > 0, Patience), "no worker started");
        ProcessPoolExecutor.PrestartWorkers(0); // the others are likely still being started
        Assert.True(SpinWait.SpinUntil(() => StandbyChildren().Length == 0, Patience), $"still alive: {string.Join(", ", StandbyChildren())}");
        Assert.Empty(StandbyWorkers.WaitingProcessIds);
    }

    [Fact]
    public void BadCounts_AreRefused_NamingTheArgument()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ProcessPoolExecutor.PrestartWorkers(-1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ProcessPoolExecutor.PrestartWorkers(257)).ParamName);
    }

    /// <summary>Live children of this process started as standby workers (their environment says so), taken or not.</summary>
    private static int[] StandbyChildren() =>
        [.. ChildProgram.ChildrenOf(Environment.ProcessId).Where(pid => !ProcessPoolExecutorTests.ProcessIsGone(pid)
            && ChildProgram.ReadProc(pid, "environ").Contains("CONCURRENTFUTURES_WORKER_STANDBY=1", StringComparison.Ordinal))];

    private static int WaitForStandby()
    {
        Assert.True(SpinWait.SpinUntil(() => StandbyWorkers.WaitingProcessIds.Length == 1, Patience), "no worker is waiting");
        return StandbyWorkers.WaitingProcessIds[0];
    }
}
