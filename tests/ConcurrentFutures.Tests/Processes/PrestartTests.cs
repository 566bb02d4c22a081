namespace ConcurrentFutures.Tests.Processes;

/// <summary>Prestarted workers are shared by the whole test process, so these tests run alone.</summary>
[Collection(RunsAlone.Name)]
public sealed class PrestartTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Children the test process had before the test (pools kept by other tests' fixtures): not this test's to end.</summary>
    private readonly int[] _childrenBefore = ChildProgram.ChildrenOf(Environment.ProcessId);

    public void Dispose()
    {
        ProcessPoolExecutor.PrestartWorkers(0); // also waits for the parent's rehearsal pool: later tests count files and threads
        Assert.True(SpinWait.SpinUntil(() => StandbyChildren().Length == 0, Patience), $"still alive: {string.Join(", ", StandbyChildren())}");
        Assert.True(SpinWait.SpinUntil(() => NewChildren().Length == 0, Patience), $"still alive (the rehearsal pool's worker?): {string.Join(", ", NewChildren())}");
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
            Assert.True(SpinWait.SpinUntil(() => Waiting(pool).Length == 1, Patience), "a replacement should be waiting");
            Assert.DoesNotContain(Waiting(pool)[0], pids);
        }

        Assert.True(ProcessPoolExecutorTests.ProcessIsGone(standby), "the adopted worker belongs to its pool and ends with it");
    }

    [Fact]
    public void AWaitingWorker_OutlivesItsWarmUp_AndServesTheNextPool()
    {
        // Its warm-up rehearses a call and a connection (a reader thread included) in this very process, a second or
        // so after it starts: nothing in it may end the worker (a reader that loses its connection ends its process).
        ProcessPoolExecutor.PrestartWorkers(1);
        int standby = WaitForStandby();
        var watched = System.Diagnostics.Stopwatch.StartNew();
        while (watched.Elapsed < TimeSpan.FromSeconds(4))
        {
            Assert.False(ProcessPoolExecutorTests.ProcessIsGone(standby), $"the waiting worker {standby} ended after {watched.ElapsedMilliseconds} ms");
            Thread.Sleep(50);
        }

        using var pool = new ProcessPoolExecutor(1);
        Assert.Equal(standby, pool.Submit(WorkerFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void ARehearsalsFiles_AreNamedForTheSweep_ShouldItsWorkerEndMidway()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // watches /tmp and /dev/shm
        }

        // A waiting worker can be ended in the middle of its rehearsal (its app stops, or is killed) and cannot remove
        // what the rehearsal made; named cf-{pid}-… its task marker is swept by the next pool once that pid is gone. Its
        // socket is in the abstract namespace: no folder in /tmp (one left by a standby killed mid-rehearsal failed CI).
        var created = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var watchers = new[] { Path.GetTempPath(), "/tmp", "/dev/shm" }.Select(Path.GetFullPath).Distinct().Where(Directory.Exists)
            .Select(folder => new FileSystemWatcher(folder) { EnableRaisingEvents = true }).ToList();
        try
        {
            watchers.ForEach(w => w.Created += (_, e) => created.Enqueue(e.FullPath ?? string.Empty));
            ConcurrentFutures.Processes.WorkerHost.Rehearse(); // here, in this process: what a waiting worker runs
            Assert.True(SpinWait.SpinUntil(() => created.Any(n => Path.GetFileName(n).StartsWith("cf-", StringComparison.Ordinal)), Patience), $"seen: {string.Join(", ", created)}");
            Thread.Sleep(200); // events of anything else it created
            string[] ours = [.. created.Where(n => Path.GetFileName(n).StartsWith("cf-", StringComparison.Ordinal))];
            Assert.All(ours, name => Assert.StartsWith($"cf-{Environment.ProcessId}-rehearsal-", Path.GetFileName(name), StringComparison.Ordinal));
            Assert.All(ours, name => Assert.StartsWith("/dev/shm/", name, StringComparison.Ordinal));
        }
        finally
        {
            watchers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void APrestartedWorker_AfterItsWarmUp_HasNotLoadedIcu()
    {
        // Its warm-up (a record's serialization, a rehearsed call and connection) needs no culture data: ICU in a
        // waiting worker was ~3.7 MB more to tear down when the pool that took it ends (the prestarted row's dispose).
        ProcessPoolExecutor.PrestartWorkers(1);
        int standby = WaitForStandby();
        using var pool = new ProcessPoolExecutor(1);
        Assert.Equal(standby, pool.Submit(WorkerFunctions.Pid).Result(Patience));
        Assert.True(pool.Submit(WorkerFunctions.StandbyWarmedUp, 60_000).Result(Patience), "the warm-up did not end");
        Assert.False(pool.Submit(WorkerFunctions.HasMapped, "/libicuuc.so").Result(Patience));
        Assert.Equal(new Point(2, 4), pool.Submit(static (List<Point> p) => p[0] with { Y = 4 }, [new Point(2, 3)]).Result(Patience));
        Assert.False(pool.Submit(WorkerFunctions.HasMapped, "/libicuuc.so").Result(Patience));
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
        Assert.Equal([standby], Waiting(pool));
    }

    [Fact]
    public void StoppingPrestart_EndsTheWaitingWorkers()
    {
        ProcessPoolExecutor.PrestartWorkers(2);
        Assert.True(SpinWait.SpinUntil(() => Waiting().Length == 2, Patience));
        int[] waiting = Waiting();
        ProcessPoolExecutor.PrestartWorkers(0);
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
    }

    [Fact]
    public void BadCounts_AreRefused_NamingTheArgument()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ProcessPoolExecutor.PrestartWorkers(-1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ProcessPoolExecutor.PrestartWorkers(257)).ParamName);
    }

    /// <summary>Live children started since the test began, but the janitor (one per process, started with the first pool, it lives as long as the process).</summary>
    private int[] NewChildren() =>
        [.. ChildProgram.ChildrenOf(Environment.ProcessId).Except(_childrenBefore)
            .Where(pid => !ProcessPoolExecutorTests.ProcessIsGone(pid) && !ChildProgram.ReadProc(pid, "cmdline").Contains("concurrentfutures-janitor", StringComparison.Ordinal))];

    /// <summary>Live children of this process started as standby workers (their environment says so), taken or not.</summary>
    private static int[] StandbyChildren() =>
        [.. ChildProgram.ChildrenOf(Environment.ProcessId).Where(pid => !ProcessPoolExecutorTests.ProcessIsGone(pid)
            && ChildProgram.ReadProc(pid, "environ").Contains("CONCURRENTFUTURES_WORKER_STANDBY=1", StringComparison.Ordinal))];

    /// <summary>Standby workers still waiting: those no pool of the test took (every other pool of the test process is gone: these tests run alone).</summary>
    private static int[] Waiting(params ProcessPoolExecutor[] pools) => [.. StandbyChildren().Except(pools.SelectMany(p => p.WorkerProcessIds))];

    private static int WaitForStandby()
    {
        Assert.True(SpinWait.SpinUntil(() => Waiting().Length == 1, Patience), "no worker is waiting");
        return Waiting()[0];
    }
}
