using System.Diagnostics;
using System.Globalization;

namespace ConcurrentFutures.Tests.Processes;

public class ProcessPoolExecutorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Work_RunsInAnotherProcess_ListedInWorkerProcessIds()
    {
        using var pool = new ProcessPoolExecutor(2);
        Assert.Empty(pool.WorkerProcessIds); // started lazily
        int pid = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Contains(pid, pool.WorkerProcessIds);
    }

    [Fact]
    public void Workers_AreReused()
    {
        using var pool = new ProcessPoolExecutor(1);
        var pids = Enumerable.Range(0, 5).Select(_ => pool.Submit(WorkerFunctions.Pid).Result(Patience)).ToHashSet();
        Assert.Single(pids);
    }

    [Fact]
    public void MaxTasksPerChild_ReplacesTheWorkerAfterNTasks()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxTasksPerChild = 2 });
        var pids = Enumerable.Range(0, 6).Select(_ => pool.Submit(WorkerFunctions.Pid).Result(Patience)).ToList();
        Assert.Equal(3, pids.Distinct().Count());
        Assert.Equal(pids[0], pids[1]);
        Assert.NotEqual(pids[1], pids[2]);
    }

    [Theory]
    [InlineData(nameof(WorkerFunctions.ExitWith), "exited with code 7")]
    [InlineData(nameof(WorkerFunctions.FailFast), "signal 6")]
    [InlineData(nameof(WorkerFunctions.KillSelf), "signal 9")]
    [InlineData(nameof(WorkerFunctions.Recurse), "signal")]
    public void CrashingWorker_FailsOnlyItsWork_AndThePoolRecovers(string crash, string expectedExit)
    {
        using var pool = new ProcessPoolExecutor(2);
        var healthy = pool.Submit(WorkerFunctions.PidAfter, 300);
        Future<int> crashing = crash switch
        {
            nameof(WorkerFunctions.ExitWith) => pool.Submit(WorkerFunctions.ExitWith, 7),
            nameof(WorkerFunctions.FailFast) => pool.Submit(WorkerFunctions.FailFast),
            nameof(WorkerFunctions.KillSelf) => pool.Submit(WorkerFunctions.KillSelf),
            _ => pool.Submit(WorkerFunctions.Recurse, 0),
        };
        var exception = Assert.Throws<BrokenProcessPoolException>(() => crashing.Result(Patience));
        Assert.Contains(expectedExit, exception.Message, StringComparison.Ordinal);
        Assert.Contains(crash, exception.Message, StringComparison.Ordinal);
        Assert.NotEqual(Environment.ProcessId, healthy.Result(Patience));
        Assert.Equal(49, pool.Submit(Executors.Work.Square, 7).Result(Patience));
    }

    [Fact]
    public void WorkerKilledFromOutside_FailsItsWork_QueuedWorkStillRuns()
    {
        using var pool = new ProcessPoolExecutor(1);
        string started = Path.Combine(Path.GetTempPath(), $"cf-test-{Guid.NewGuid():N}");
        try
        {
            var victim = pool.Submit(WorkerFunctions.SignalThenSleepForever, started);
            var queued = Enumerable.Range(0, 5).Select(i => pool.Submit(Executors.Work.Square, i)).ToList();
            Assert.True(SpinWait.SpinUntil(() => File.Exists(started), Patience), "the victim never started");
            Process.GetProcessById(pool.WorkerProcessIds[0]).Kill();
            var exception = Assert.Throws<BrokenProcessPoolException>(() => victim.Result(Patience));
            Assert.Contains("signal 9", exception.Message, StringComparison.Ordinal);
            Assert.Equal([0, 1, 4, 9, 16], queued.Select(f => f.Result(Patience)));
        }
        finally
        {
            pool.KillWorkers(); // on failure, nothing may keep Dispose waiting for a task that sleeps forever
            File.Delete(started);
        }
    }

    [Fact]
    public void Initializer_RunsInEveryWorker()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions
        {
            MaxWorkers = 2,
            Initializer = WorkerFunctions.Initialize,
            InitializerArgs = ["configured"],
        });
        var results = Enumerable.Range(0, 4).Select(_ => pool.Submit(WorkerFunctions.InitializedWith)).Select(f => f.Result(Patience));
        Assert.All(results, r => Assert.Equal("configured", r));
    }

    [Fact]
    public void FailingInitializer_BreaksThePool()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 2, Initializer = WorkerFunctions.FailToInitialize });
        var future = pool.Submit(WorkerFunctions.Pid);
        var exception = Assert.Throws<BrokenProcessPoolException>(() => future.Result(Patience));
        Assert.Contains("initializer failure marker", exception.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(exception.InnerException);
        Assert.Throws<BrokenProcessPoolException>(() => pool.Submit(WorkerFunctions.Pid));
    }

    [Fact]
    public void InitializerArguments_MustMatchItsParameters()
    {
        Assert.Throws<ArgumentException>(() => new ProcessPoolExecutor(new ProcessPoolOptions { Initializer = WorkerFunctions.Initialize }));
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(new ProcessPoolOptions { MaxTasksPerChild = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(new ProcessPoolOptions { TaskTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentNullException>(() => new ProcessPoolExecutor((ProcessPoolOptions)null!));
    }

    [Fact]
    public void TaskTimeout_KillsTheWorker_AndFailsThatFutureWithTimeoutException()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, TaskTimeout = TimeSpan.FromMilliseconds(500) });
        int firstPid = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        var hung = pool.Submit(WorkerFunctions.SleepForever);
        var after = pool.Submit(WorkerFunctions.Pid);
        var exception = Assert.Throws<TimeoutException>(() => hung.Result(Patience));
        Assert.Contains(nameof(WorkerFunctions.SleepForever), exception.Message, StringComparison.Ordinal);
        Assert.NotEqual(firstPid, after.Result(Patience));
    }

    [Fact]
    public void IdleWorkerTimeout_LetsIdleWorkersExit_AndNewOnesStartOnDemand()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, IdleWorkerTimeout = TimeSpan.FromMilliseconds(200) });
        int first = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        Assert.True(SpinWait.SpinUntil(() => pool.WorkerProcessIds.Count == 0, Patience));
        Assert.True(ProcessIsGone(first));
        Assert.NotEqual(first, pool.Submit(WorkerFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void MaxWorkerMemoryBytes_RecyclesAWorkerThatGrewTooLarge()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerMemoryBytes = 150L * 1024 * 1024 });
        int before = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        pool.Submit(WorkerFunctions.Grow, 200).Result(Patience);
        Assert.NotEqual(before, pool.Submit(WorkerFunctions.Pid).Result(Patience));
    }

    [Fact]
    public void AnIdleWorker_GivesBackWhatItsTasksLeft_OnceAfterTheyAllocatedEnough()
    {
        using var pool = new ProcessPoolExecutor(1);
        int afterGarbage = pool.Submit(WorkerFunctions.LeaveGarbage, 32).Result(Patience);
        Thread.Sleep(2500); // idle for more than a second: the worker collects
        int afterIdle = pool.Submit(WorkerFunctions.FullCollections).Result(Patience);
        Assert.True(afterIdle > afterGarbage, $"an idle worker should have run a full collection ({afterGarbage} before, {afterIdle} after)");
        Thread.Sleep(2500); // idle again, having allocated next to nothing since: no collection
        Assert.Equal(afterIdle, pool.Submit(WorkerFunctions.FullCollections).Result(Patience));
    }

    [Fact]
    public void AWorkerThatJustReadALargeValue_WaitsLongerBeforeGivingBackItsMemory_ASecondPer64MB()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), ConcurrentFutures.Processes.WorkerHost.IdleBeforeTrimAfter(0));
        Assert.Equal(TimeSpan.FromSeconds(17), ConcurrentFutures.Processes.WorkerHost.IdleBeforeTrimAfter(1024L * 1024 * 1024));

        using var pool = new ProcessPoolExecutor(1);
        // 192 MB: the worker collects once right after the task (a large value), then waits 1 + 3 s idle before its trim.
        int during = pool.Submit(WorkerFunctions.FullCollectionsGiven, new byte[192 * 1024 * 1024]).Result(Patience);
        Thread.Sleep(1500); // idle longer than after small values, not as long as after this one
        int afterShortIdle = pool.Submit(WorkerFunctions.FullCollections).Result(Patience);
        Assert.Equal(during + 1, afterShortIdle);
        Thread.Sleep(5000); // now long enough
        Assert.Equal(afterShortIdle + 1, pool.Submit(WorkerFunctions.FullCollections).Result(Patience));
    }

    [Fact]
    public void ShortTasks_AreNotQueuedBehindATaskWithLargeArguments_WhilePipelining()
    {
        using var pool = new ProcessPoolExecutor(2);
        Assert.Equal(3_998_000, pool.Map(WorkerFunctions.Twice, Enumerable.Range(0, 2_000)).Sum()); // short tasks: pipelined from here on
        Future<int> large = pool.Submit(WorkerFunctions.PidAfterGiven, new byte[1024 * 1024], 4_000);
        List<Future<int>> shorts = Enumerable.Range(0, 200).Select(_ => pool.Submit(WorkerFunctions.Pid)).ToList();
        List<int> shortPids = shorts.Select(f => f.Result(Patience)).ToList();
        Assert.False(large.IsDone, "the short tasks should not have waited behind the large one");
        Assert.DoesNotContain(large.Result(Patience), shortPids);
    }

    [Fact]
    public void MaxWorkerHeapBytes_FailsWorkThatAllocatesTooMuch_WithOutOfMemory_AndReplacesItsWorker()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerHeapBytes = 64L * 1024 * 1024 });
        int before = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        Assert.Throws<OutOfMemoryException>(() => pool.Submit(WorkerFunctions.Grow, 200).Result(Patience));
        Assert.Equal(20L * 1024 * 1024, pool.Submit(WorkerFunctions.AllocateAndRelease, 20).Result(Patience)); // under the cap: fine
        int after = pool.Submit(WorkerFunctions.Pid).Result(Patience);
        Assert.NotEqual(before, after);
        Assert.True(SpinWait.SpinUntil(() => ProcessIsGone(before), Patience), "the worker that ran out of memory should have been replaced");
        Assert.Equal("options.MaxWorkerHeapBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkerHeapBytes = 1024 })).ParamName);
    }

    [Fact]
    public void Workers_KeepArraysUpTo2MB_OutOfTheLargeObjectHeap_UnlessTheAppSetsItsOwnThreshold()
    {
        Assert.Equal(2, WorkerFunctions.GenerationOfNewArray(1_000_000)); // this process: the runtime's default
        using (var pool = new ProcessPoolExecutor(1))
        {
            Assert.Equal(0, pool.Submit(WorkerFunctions.GenerationOfNewArray, 1_000_000).Result(Patience));
            Assert.Equal(2, pool.Submit(WorkerFunctions.GenerationOfNewArray, 3_000_000).Result(Patience));
        }

        // An app's own threshold (here in its environment, which workers inherit) is left alone. A heap limit keeps
        // the pool from adopting a prestarted worker another test may have started before.
        Environment.SetEnvironmentVariable("DOTNET_GCLOHThreshold", "20000"); // 128 KB, hex
        try
        {
            using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerHeapBytes = 512L * 1024 * 1024 });
            Assert.Equal(2, pool.Submit(WorkerFunctions.GenerationOfNewArray, 1_000_000).Result(Patience));
            Assert.Equal(0, pool.Submit(WorkerFunctions.GenerationOfNewArray, 100_000).Result(Patience));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOTNET_GCLOHThreshold", null);
        }
    }

    [Fact]
    public void Workers_LoadTheIcuThisProcessLoaded_WithoutSearching_AndCompareStringsAsItDoes()
    {
        var swedish = CultureInfo.GetCultureInfo("sv-SE"); // culture data: this process loads ICU if it had not yet
        int here = swedish.CompareInfo.Compare("ä", "z");
        string? loaded = File.ReadLines("/proc/self/maps")
            .Select(line => line[(line.LastIndexOf('/') + 1)..])
            .FirstOrDefault(file => file.StartsWith("libicuuc.so.", StringComparison.Ordinal))?["libicuuc.so.".Length..].Split('.')[0];
        Assert.NotNull(loaded); // the test machine has ICU (CI installs what the SDK needs)

        // A heap limit keeps the pool from adopting a prestarted worker another test may have started before.
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerHeapBytes = 512L * 1024 * 1024 });
        Assert.Equal(loaded, pool.Submit(WorkerFunctions.Setting, "DOTNET_ICU_VERSION_OVERRIDE").Result(Patience));
        Assert.Equal(here, pool.Submit(() => CultureInfo.GetCultureInfo("sv-SE").CompareInfo.Compare("ä", "z")).Result(Patience));
        Assert.True(here > 0, "in Swedish ä sorts after z: the worker compared with real culture data, not invariant rules");
    }

    [Fact]
    public void AWorker_LoadsIcu_OnlyOnceItsWorkUsesCultureData()
    {
        // ICU is ~3 ms and ~3 MB of a new worker: its start-up and a call that needs no culture data leave it unloaded.
        // A heap limit keeps the pool from adopting a prestarted worker, which warms the serializer up in full.
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerHeapBytes = 512L * 1024 * 1024 });
        Assert.True(pool.Submit(WorkerFunctions.Pid).Result(Patience) > 0);
        Assert.False(pool.Submit(WorkerFunctions.HasMapped, "/libicuuc.so").Result(Patience));
        int here = CultureInfo.GetCultureInfo("sv-SE").CompareInfo.Compare("ä", "z");
        Assert.Equal(here, pool.Submit(() => CultureInfo.GetCultureInfo("sv-SE").CompareInfo.Compare("ä", "z")).Result(Patience));
        Assert.True(pool.Submit(WorkerFunctions.HasMapped, "/libicuuc.so").Result(Patience));
    }

    [Fact]
    public void AWorkersFirstCallWithRecordsAndLists_DoesNotBuildMessagePacksStandardResolver()
    {
        // A heap limit keeps the pool from adopting a prestarted worker, which warms the serializer up in full.
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxWorkerHeapBytes = 512L * 1024 * 1024 });
        var points = new List<Point> { new(1, 2), new(3, 4) };
        Assert.Equal(points, pool.Submit(static (List<Point> p) => p, points).Result(Patience));
        Assert.Equal(new Dictionary<string, int[]> { ["a"] = [1, 2] }["a"], pool.Submit(static (Dictionary<string, int[]> d) => d["a"], new Dictionary<string, int[]> { ["a"] = [1, 2] }).Result(Patience));

        // No ICU either (asked before HasLoaded, which reads assembly names and so loads it): MessagePack's generic
        // resolver compares a type's name with the current culture's rules; the library names the formatters of lists,
        // dictionaries, sets and arrays itself.
        Assert.Equal(3, pool.Submit(static (HashSet<string> s, KeyValuePair<string, Point>[] p) => s.Count + p.Length, new HashSet<string> { "a", "b" }, [new("p", new Point(0, 0))]).Result(Patience));
        Assert.False(pool.Submit(WorkerFunctions.HasMapped, "/libicuuc.so").Result(Patience));

        // Building it loads regular expressions (and an emitted assembly, LINQ expressions, OpenSSL): ~40 ms of a new
        // worker's first call. What the library's own resolver uses comes from MessagePack's cheaper resolvers.
        Assert.False(pool.Submit(WorkerFunctions.HasLoaded, "System.Text.RegularExpressions").Result(Patience));
    }

    [Fact]
    public void CapturedVariables_AreCopiedIntoTheWorker()
    {
        using var pool = new ProcessPoolExecutor(1);
        int offset = 10;
        string label = "item";
        var results = pool.Map(i => $"{label}-{i + offset}", [1, 2, 3], Patience, chunkSize: 2).ToList();
        Assert.Equal(["item-11", "item-12", "item-13"], results);
    }

    [Fact]
    public void RecordsListsAndDictionaries_RoundTrip()
    {
        using var pool = new ProcessPoolExecutor(1);
        Assert.Equal(new Point(5, 2), pool.Submit(WorkerFunctions.Move, new Point(1, 2), 4).Result(Patience));
        Assert.Equal(6, pool.Submit(WorkerFunctions.Sum, new List<int> { 1, 2, 3 }).Result(Patience));
        Assert.Equal(2, pool.Submit(WorkerFunctions.Count, new[] { "a", "b", "a" }).Result(Patience)["a"]);
    }

    [Fact]
    public void UnsendableWork_IsRejectedAtSubmit_NamingTheOffender()
    {
        using var pool = new ProcessPoolExecutor(1);
        using var stream = new MemoryStream();
        var captured = Assert.Throws<ArgumentException>(() => pool.Submit(() => stream.Length));
        Assert.Contains("'stream'", captured.Message, StringComparison.Ordinal);

        var holder = new NotSerializable();
        var instance = Assert.Throws<ArgumentException>(() => pool.Submit(holder.Compute));
        Assert.Contains("'this'", instance.Message, StringComparison.Ordinal);

        var capturedThis = Assert.Throws<ArgumentException>(() => holder.SubmitCapturingThis(pool));
        Assert.Contains("'this'", capturedThis.Message, StringComparison.Ordinal);

        var parameter = Assert.Throws<ArgumentException>(() => pool.Submit(WorkerFunctions.ReadStream, (Stream)stream));
        Assert.Contains("'stream'", parameter.Message, StringComparison.Ordinal);

        var boxed = Assert.Throws<ArgumentException>(() => pool.Submit((object o) => o.GetHashCode(), (object)new List<object> { 1, stream }));
        Assert.Equal("arg1", boxed.ParamName);
        Assert.Contains("at o[1]: MemoryStream is a Stream", boxed.Message, StringComparison.Ordinal);

        Assert.Empty(pool.WorkerProcessIds); // nothing reached a worker
    }

    [Fact]
    public void UnserializableResult_FailsThatFutureOnly()
    {
        using var pool = new ProcessPoolExecutor(1);
        var bad = pool.Submit(WorkerFunctions.ReturnUnsendable);
        var failure = Assert.Throws<InvalidOperationException>(() => bad.Result(Patience));
        Assert.Contains("The result of WorkerFunctions.ReturnUnsendable cannot be sent back from another process: its Stream items", failure.Message, StringComparison.Ordinal);
        Assert.Equal(4, pool.Submit(Executors.Work.Square, 2).Result(Patience));
    }

    [Fact]
    public void RemoteException_KeepsItsTypeMessageInnerAndRemoteStackTrace()
    {
        using var pool = new ProcessPoolExecutor(1);
        var exception = Assert.Throws<InvalidOperationException>(() => pool.Submit(WorkerFunctions.ThrowNested).Result(Patience));
        Assert.Equal("outer marker", exception.Message);
        Assert.IsType<FormatException>(exception.InnerException);
        Assert.Contains(nameof(WorkerFunctions.ThrowNested), exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LargePayload_32MB_RoundTrips()
    {
        using var pool = new ProcessPoolExecutor(1);
        byte[] data = new byte[32 * 1024 * 1024];
        new Random(42).NextBytes(data);
        byte[] echoed = pool.Submit(WorkerFunctions.Echo, data).Result(Patience);
        Assert.Equal(data.Length, echoed.Length);
        Assert.True(data.AsSpan().SequenceEqual(echoed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Map_TwentyThousandItems_LosesNothing(int chunkSize)
    {
        using var pool = new ProcessPoolExecutor(2);
        var results = pool.Map(Executors.Work.Square, Enumerable.Range(0, 20_000), Patience, chunkSize).ToList();
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => i * i), results);
    }

    [Fact]
    public void Shutdown_LeavesNoWorkerBehind()
    {
        var pool = new ProcessPoolExecutor(2);
        var futures = Enumerable.Range(0, 4).Select(_ => pool.Submit(WorkerFunctions.PidAfter, 100)).ToList();
        var pids = futures.Select(f => f.Result(Patience)).Distinct().ToList();
        pool.Shutdown(wait: true);
        Assert.All(pids, pid => Assert.True(ProcessIsGone(pid), $"worker {pid} is still alive after Shutdown"));
        Assert.Empty(pool.WorkerProcessIds);
    }

    [Fact]
    public void KillWorkers_FailsUnfinishedWork_AndReturnsPromptly()
    {
        using var pool = new ProcessPoolExecutor(1);
        var running = pool.Submit(WorkerFunctions.SleepForever);
        var queued = pool.Submit(WorkerFunctions.Pid);
        int pid = WaitForWorker(pool, running);
        pool.Shutdown(wait: false, cancelFutures: true);
        pool.KillWorkers();
        Assert.Throws<BrokenProcessPoolException>(() => running.Result(Patience));
        Assert.True(queued.IsCancelled || queued.GetException(Patience) is BrokenProcessPoolException);
        Assert.True(SpinWait.SpinUntil(() => ProcessIsGone(pid), Patience));
    }

    [Fact]
    public void TerminateWorkers_SendsSigterm()
    {
        string marker = Path.Combine(Path.GetTempPath(), $"cf-sigterm-{Guid.NewGuid():N}");
        try
        {
            using var pool = new ProcessPoolExecutor(1);
            var running = pool.Submit(WorkerFunctions.RecordSigtermThenSleep, marker);
            int pid = WaitForWorker(pool, running);
            Assert.True(SpinWait.SpinUntil(() => File.Exists(marker) && File.ReadAllText(marker) == "ready", Patience), "the worker never set up its handler");
            pool.TerminateWorkers();
            var exception = Assert.Throws<BrokenProcessPoolException>(() => running.Result(Patience));
            Assert.Contains("TerminateWorkers", exception.Message, StringComparison.Ordinal);
            Assert.True(SpinWait.SpinUntil(() => File.ReadAllText(marker) == "SIGTERM", Patience), "the worker never got SIGTERM");
            Assert.Equal("SIGTERM", File.ReadAllText(marker)); // SIGTERM, which it could handle: not SIGKILL
            Assert.True(SpinWait.SpinUntil(() => ProcessIsGone(pid), Patience));
        }
        finally
        {
            File.Delete(marker);
        }
    }

    /// <summary>Waits until <paramref name="busy"/> has been handed to a worker (its future is running); returns that worker's pid.</summary>
    internal static int WaitForWorker(ProcessPoolExecutor pool, Future busy)
    {
        Assert.True(SpinWait.SpinUntil(() => busy.IsRunning && pool.WorkerProcessIds.Count > 0, Patience), "the work never started");
        Thread.Sleep(100); // let the worker read it
        return pool.WorkerProcessIds[0];
    }

    internal static bool ProcessIsGone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private sealed class NotSerializable
    {
        private readonly Stream _stream = Stream.Null;

        public long Compute() => _stream.Length;

        public Future<long> SubmitCapturingThis(Executor executor) => executor.Submit(() => _stream.Length + 1);
    }
}
