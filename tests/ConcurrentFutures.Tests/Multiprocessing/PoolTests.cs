using ConcurrentFutures.Multiprocessing;
using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Tests.Multiprocessing;

public class PoolTests
{
    [Fact]
    public void PoolApi_MatchesSequentialResults()
    {
        using var pool = new Pool(2);
        int[] items = [.. Enumerable.Range(0, 57)];
        int[] expected = [.. items.Select(Work.Square)];
        Assert.Equal(49, pool.Apply(Work.Square, 7));
        Assert.Equal(64, pool.ApplyAsync(Work.Square, 8).Result(TimeSpan.FromSeconds(60)));
        Assert.Equal(expected, pool.Map(Work.Square, items));
        Assert.Equal(expected, pool.Map(Work.Square, items, chunkSize: 5));
        Assert.Equal(expected, pool.Imap(Work.Square, items, chunkSize: 3));
        Assert.Equal(expected, pool.ImapUnordered(Work.Square, items, chunkSize: 4).Order()); // the order: ImapUnordered_YieldsResultsInTheOrderTheyComplete
        Assert.Equal([11, 22], pool.Starmap(Work.Add, [(1, 10), (2, 20)]));
        Assert.Equal(["a-b-c", "d-e-f"], pool.Starmap(Work.Join3, [("a", "b", "c"), ("d", "e", "f")]));
        Assert.Equal([10, 26], pool.Starmap(Work.Sum4, [(1, 2, 3, 4), (5, 6, 7, 8)], chunkSize: 1));
        Assert.Equal(Enumerable.Range(0, 57).Select(i => i * 4), pool.Starmap(Work.Sum4, items.Select(i => (i, i, i, i))));
    }

    [Fact]
    public async Task AsyncTwins_GiveWhatTheBlockingCallsGive()
    {
        using var pool = new Pool(2);
        int[] items = [.. Enumerable.Range(0, 40)];
        int[] expected = [.. items.Select(Work.Square)];
        Assert.Equal(expected, await pool.MapAsync(Work.Square, items));
        var streamed = new List<int>();
        await foreach (int result in pool.ImapAsync(Work.Square, items, chunkSize: 3))
        {
            streamed.Add(result);
        }

        Assert.Equal(expected, streamed);
        streamed.Clear();
        await foreach (int result in pool.ImapUnorderedAsync(Work.Square, items, chunkSize: 4))
        {
            streamed.Add(result);
        }

        Assert.Equal(expected, streamed.Order());
        Assert.Equal([11, 22], await pool.StarmapAsync(Work.Add, [(1, 10), (2, 20)]));
        Assert.Equal(["a-b-c"], await pool.StarmapAsync(Work.Join3, [("a", "b", "c")]));
        Assert.Equal([10], await pool.StarmapAsync(Work.Sum4, [(1, 2, 3, 4)]));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.MapAsync(Work.Square, items, cancellationToken: new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.StarmapAsync(Work.Add, [(1, 2)], cancellationToken: new CancellationToken(canceled: true)));
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.MapAsync(Work.SleepThenReturn, [3_000, 3_000], cancellationToken: soon.Token)); // during the wait
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => pool.JoinAsync()); // not closed yet
        pool.Close();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.JoinAsync(new CancellationToken(canceled: true)));
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.JoinAsync(soon.Token)); // the sleepers still run
        }

        await pool.JoinAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void TypedInitializers_OfEveryArity_GetTheirArguments()
    {
        static string? Initialized(Pool pool) => pool.Apply((int _) => Processes.WorkerFunctions.InitializedWith(), 0);
        using (var pool = Pool.Create(Processes.WorkerFunctions.InitializeWithNothing, processes: 1))
        {
            Assert.Equal("nothing", Initialized(pool));
        }

        using (var pool = Pool.Create(Processes.WorkerFunctions.InitializeWith2, "b", 2, processes: 1))
        {
            Assert.Equal("b2", Initialized(pool));
        }

        using (var pool = Pool.Create(Processes.WorkerFunctions.InitializeWith3, "c", 3, true, processes: 1, maxTasksPerChild: 5))
        {
            Assert.Equal("c3True", Initialized(pool));
        }

        foreach ((ProcessPoolOptions options, string expected) in new[]
        {
            (new ProcessPoolOptions { MaxWorkers = 1 }.SetInitializer(Processes.WorkerFunctions.InitializeWithNothing), "nothing"),
            (new ProcessPoolOptions { MaxWorkers = 1 }.SetInitializer(Processes.WorkerFunctions.InitializeWith2, "x", 9), "x9"),
            (new ProcessPoolOptions { MaxWorkers = 1 }.SetInitializer(Processes.WorkerFunctions.InitializeWith3, "y", 8, false), "y8False"),
        })
        {
            using var executor = new ProcessPoolExecutor(options);
            Assert.Equal(expected, executor.Submit((int _) => Processes.WorkerFunctions.InitializedWith(), 0).Result(TimeSpan.FromSeconds(60)));
        }
    }

    [Fact]
    public void TypedInitializer_IsRunInEachWorker()
    {
        using var pool = Pool.Create(Processes.WorkerFunctions.Initialize, "typed", processes: 1);
        Assert.Equal("typed", pool.Apply((int _) => Processes.WorkerFunctions.InitializedWith(), 0));
        using var executor = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1 }.SetInitializer(Processes.WorkerFunctions.Initialize, "set"));
        Assert.Equal("set", executor.Submit((int _) => Processes.WorkerFunctions.InitializedWith(), 0).Result(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Imap_YieldsEachResultAsSoonAsItAndThoseBeforeItAreDone_NotAfterAll()
    {
        using var gate = new ProcessEvent();
        using var pool = new Pool(2);
        using IEnumerator<int> results = pool.Imap(i => Gated.FirstAtOnce(i, gate), [0, 1, 2]).GetEnumerator();
        try
        {
            // Items 1 and 2 wait for the gate, which opens only once item 0's result is here: a Map that waited for
            // every result before yielding the first would never get here.
            Task<bool> first = Task.Run(results.MoveNext);
            Assert.True(await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(60))) == first && await first, "the first result waited for the others");
            Assert.Equal(0, results.Current);
        }
        finally
        {
            gate.Set();
        }

        Assert.True(results.MoveNext());
        Assert.Equal(1, results.Current);
        Assert.True(results.MoveNext());
        Assert.Equal(2, results.Current);
        Assert.False(results.MoveNext());
    }

    [Fact]
    public async Task ImapUnordered_YieldsResultsInTheOrderTheyComplete()
    {
        using var gate = new ProcessEvent();
        using var pool = new Pool(2);
        using IEnumerator<int> results = pool.ImapUnordered(i => Gated.FirstAtOnce(i, gate), [1, 0]).GetEnumerator();
        try
        {
            Task<bool> first = Task.Run(results.MoveNext);
            Assert.True(await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(60))) == first && await first, "no result came before the gated one");
            Assert.Equal(0, results.Current); // submitted second, done first
        }
        finally
        {
            gate.Set();
        }

        Assert.True(results.MoveNext());
        Assert.Equal(1, results.Current);
        Assert.False(results.MoveNext());
    }

    [Fact]
    public void CloseThenJoin_LetsWorkFinish_AndRefusesNewWork()
    {
        var pool = new Pool(1);
        var future = pool.ApplyAsync(Work.SleepThenReturn, 100);
        Assert.Throws<InvalidOperationException>(pool.Join);
        pool.Close();
        Assert.Throws<InvalidOperationException>(() => pool.Apply(Work.Square, 1));
        pool.Join();
        Assert.Equal(100, future.Result(TimeSpan.Zero));
        pool.Dispose();
    }

    [Fact]
    public void Terminate_FailsUnfinishedWork()
    {
        using var pool = new Pool(1);
        var future = pool.ApplyAsync(Work.SleepThenReturn, 60_000);
        Thread.Sleep(300);
        pool.Terminate();
        pool.Join();
        Assert.Throws<BrokenProcessPoolException>(() => future.Result(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void InitializerAndMaxTasksPerChild_AreForwarded()
    {
        using var pool = new Pool(1, Processes.WorkerFunctions.Initialize, ["from pool"], maxTasksPerChild: 1);
        Assert.Equal("from pool", pool.Apply((int _) => Processes.WorkerFunctions.InitializedWith(), 0));
        int first = pool.Apply((int _) => Environment.ProcessId, 0);
        Assert.NotEqual(first, pool.Apply((int _) => Environment.ProcessId, 0));
    }
}

/// <summary>Work that holds back every item but 0 until the test opens a gate.</summary>
internal static class Gated
{
    public static int FirstAtOnce(int item, ProcessEvent gate)
    {
        if (item != 0 && !gate.Wait(TimeSpan.FromSeconds(120)))
        {
            throw new TimeoutException("the gate never opened");
        }

        return item;
    }
}
