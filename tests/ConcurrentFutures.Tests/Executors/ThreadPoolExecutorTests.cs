using System.Collections.Concurrent;

namespace ConcurrentFutures.Tests.Executors;

public class ThreadPoolExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers = 2) => new ThreadPoolExecutor(maxWorkers);
}

public class ThreadPoolExecutorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void DefaultMaxWorkers_IsPythons()
    {
        using var executor = new ThreadPoolExecutor();
        Assert.Equal(Math.Min(32, Environment.ProcessorCount + 4), executor.MaxWorkers);
    }

    /// <summary>Each arity of Submit and SubmitAsync (Func and Action, 0 to 6 arguments) passes its arguments in order.</summary>
    [Fact]
    public void EveryArity_OfSubmitAndSubmitAsync_PassesItsArguments()
    {
        using var executor = new ThreadPoolExecutor(4);
        var seen = new ConcurrentBag<string>();
        Future[] futures =
        [
            executor.Submit(() => "0"), executor.Submit(a => $"{a}", 1), executor.Submit((a, b) => $"{a}{b}", 1, 2),
            executor.Submit((a, b, c) => $"{a}{b}{c}", 1, 2, 3), executor.Submit((a, b, c, d) => $"{a}{b}{c}{d}", 1, 2, 3, 4),
            executor.Submit((a, b, c, d, e) => $"{a}{b}{c}{d}{e}", 1, 2, 3, 4, 5),
            executor.Submit((a, b, c, d, e, f) => $"{a}{b}{c}{d}{e}{f}", 1, 2, 3, 4, 5, 6),
            executor.Submit(() => seen.Add("a0")), executor.Submit(a => seen.Add($"a{a}"), 1), executor.Submit((a, b) => seen.Add($"a{a}{b}"), 1, 2),
            executor.Submit((a, b, c) => seen.Add($"a{a}{b}{c}"), 1, 2, 3), executor.Submit((a, b, c, d) => seen.Add($"a{a}{b}{c}{d}"), 1, 2, 3, 4),
            executor.Submit((a, b, c, d, e) => seen.Add($"a{a}{b}{c}{d}{e}"), 1, 2, 3, 4, 5),
            executor.Submit((a, b, c, d, e, f) => seen.Add($"a{a}{b}{c}{d}{e}{f}"), 1, 2, 3, 4, 5, 6),
            executor.SubmitAsync(() => Task.FromResult("0")), executor.SubmitAsync(a => Task.FromResult($"{a}"), 1),
            executor.SubmitAsync((a, b) => Task.FromResult($"{a}{b}"), 1, 2), executor.SubmitAsync((a, b, c) => Task.FromResult($"{a}{b}{c}"), 1, 2, 3),
            executor.SubmitAsync((a, b, c, d) => Task.FromResult($"{a}{b}{c}{d}"), 1, 2, 3, 4),
            executor.SubmitAsync((a, b, c, d, e) => Task.FromResult($"{a}{b}{c}{d}{e}"), 1, 2, 3, 4, 5),
            executor.SubmitAsync((a, b, c, d, e, f) => Task.FromResult($"{a}{b}{c}{d}{e}{f}"), 1, 2, 3, 4, 5, 6),
            executor.SubmitAsync(async () => { await Task.Yield(); seen.Add("t0"); }),
            executor.SubmitAsync(async a => { await Task.Yield(); seen.Add($"t{a}"); }, 1),
            executor.SubmitAsync(async (a, b) => { await Task.Yield(); seen.Add($"t{a}{b}"); }, 1, 2),
            executor.SubmitAsync(async (a, b, c) => { await Task.Yield(); seen.Add($"t{a}{b}{c}"); }, 1, 2, 3),
            executor.SubmitAsync(async (a, b, c, d) => { await Task.Yield(); seen.Add($"t{a}{b}{c}{d}"); }, 1, 2, 3, 4),
            executor.SubmitAsync(async (a, b, c, d, e) => { await Task.Yield(); seen.Add($"t{a}{b}{c}{d}{e}"); }, 1, 2, 3, 4, 5),
            executor.SubmitAsync(async (a, b, c, d, e, f) => { await Task.Yield(); seen.Add($"t{a}{b}{c}{d}{e}{f}"); }, 1, 2, 3, 4, 5, 6),
        ];
        string[] prefixes = ["0", "1", "12", "123", "1234", "12345", "123456"];
        Assert.Equal(prefixes, futures.Take(7).Select(f => ((Future<string>)f).Result(Patience)));
        Assert.Equal(prefixes, futures.Skip(14).Take(7).Select(f => ((Future<string>)f).Result(Patience)));
        foreach (Future future in futures)
        {
            future.Wait(Patience);
        }

        string[] expected = [.. prefixes.Select(p => "a" + p), .. prefixes.Select(p => "t" + p)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void InvalidMaxWorkers_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(-1));
    }

    [Fact]
    public void Threads_AreNamedWithThePrefixAndIndex()
    {
        using var executor = new ThreadPoolExecutor(3, "fetcher");
        using var gate = new ManualResetEventSlim();
        var futures = Enumerable.Range(0, 3).Select(_ => executor.Submit(() =>
        {
            gate.Wait(Patience);
            return Thread.CurrentThread.Name;
        })).ToList();
        gate.Set();
        var names = futures.Select(f => f.Result(Patience)).Order().ToList();
        Assert.Equal(["fetcher_0", "fetcher_1", "fetcher_2"], names);
    }

    [Fact]
    public void DefaultPrefix_IsDistinctPerExecutor()
    {
        using var a = new ThreadPoolExecutor(1);
        using var b = new ThreadPoolExecutor(1);
        string? nameA = a.Submit(() => Thread.CurrentThread.Name).Result(Patience);
        string? nameB = b.Submit(() => Thread.CurrentThread.Name).Result(Patience);
        Assert.StartsWith("ThreadPoolExecutor-", nameA, StringComparison.Ordinal);
        Assert.NotEqual(nameA, nameB);
    }

    [Fact]
    public void IdleThreads_AreReused_BeforeNewOnesAreStarted()
    {
        using var executor = new ThreadPoolExecutor(8);
        for (int i = 0; i < 20; i++)
        {
            executor.Submit(() => 1).Result(Patience);
        }

        Assert.Equal(1, executor.ThreadCount);
    }

    [Fact]
    public void Saturation_NeverExceedsMaxWorkers()
    {
        using var executor = new ThreadPoolExecutor(3);
        int running = 0;
        int maxRunning = 0;
        var futures = Enumerable.Range(0, 30).Select(_ => executor.Submit(() =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            Thread.Sleep(5);
            Interlocked.Decrement(ref running);
        })).ToList();
        futures.ForEach(f => f.Wait(Patience));
        Assert.Equal(3, maxRunning);
        Assert.Equal(3, executor.ThreadCount);
    }

    [Fact]
    public void Work_StartsInSubmissionOrder()
    {
        using var executor = new ThreadPoolExecutor(1);
        var order = new ConcurrentQueue<int>();
        var futures = Enumerable.Range(0, 50).Select(i => executor.Submit(() => order.Enqueue(i))).ToList();
        futures.ForEach(f => f.Wait(Patience));
        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public void Initializer_RunsOncePerThread()
    {
        int initialized = 0;
        var initializedThreads = new ConcurrentBag<int>();
        using (var executor = new ThreadPoolExecutor(2, initializer: () =>
        {
            Interlocked.Increment(ref initialized);
            initializedThreads.Add(Environment.CurrentManagedThreadId);
        }))
        {
            using var gate = new ManualResetEventSlim();
            var futures = Enumerable.Range(0, 10).Select(_ => executor.Submit(() =>
            {
                gate.Wait(Patience);
                return Environment.CurrentManagedThreadId;
            })).ToList();
            gate.Set();
            var workThreads = futures.Select(f => f.Result(Patience)).ToHashSet();
            Assert.Subset(initializedThreads.ToHashSet(), workThreads);
        }

        Assert.Equal(2, initialized);
    }

    [Fact]
    public void FailingInitializer_BreaksThePool_ForPendingAndLaterWork()
    {
        using var queued = new ManualResetEventSlim();
        using var executor = new ThreadPoolExecutor(1, initializer: () =>
        {
            queued.Wait(Patience); // fail only once all five are pending, so each must fail through its future
            throw new InvalidDataException("no config");
        });
        var futures = Enumerable.Range(0, 5).Select(i => executor.Submit(() => i)).ToList();
        queued.Set();
        foreach (var future in futures)
        {
            var exception = Assert.Throws<BrokenThreadPoolException>(() => future.Result(Patience));
            Assert.IsType<InvalidDataException>(exception.InnerException);
        }

        var later = Assert.Throws<BrokenThreadPoolException>(() => executor.Submit(() => 1));
        Assert.Contains("initializer", later.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shutdown_WithoutWait_ReturnsWhileWorkStillRuns()
    {
        var executor = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var future = executor.Submit(() => gate.Wait(Patience));
        executor.Shutdown(wait: false);
        Assert.False(future.IsDone);
        gate.Set();
        Assert.True(future.Result(Patience));
        executor.Dispose();
    }

    [Fact]
    public void Shutdown_FromInsideAWorker_DoesNotDeadlock()
    {
        var executor = new ThreadPoolExecutor(2);
        var future = executor.Submit(() => executor.Shutdown(wait: true));
        future.Wait(Patience);
        executor.Dispose();
    }

    [Fact]
    public async Task DisposeAsync_CompletesWhenAllThreadsExited()
    {
        var executor = new ThreadPoolExecutor(4);
        var futures = Enumerable.Range(0, 8).Select(_ => executor.Submit(() => Thread.Sleep(10))).ToList();
        await executor.DisposeAsync();
        Assert.All(futures, f => Assert.True(f.IsDone));
    }

    [Fact]
    public void Map_DisposingTheEnumeratorEarly_CancelsWorkNotStarted()
    {
        using var executor = new ThreadPoolExecutor(1);
        using var release = new ManualResetEventSlim();
        int ran = 0;
        var results = executor.Map(i =>
        {
            Interlocked.Increment(ref ran);
            if (i > 0)
            {
                release.Wait(Patience); // item 1 holds the only thread, so items 2..9 stay queued
            }

            return i;
        }, Enumerable.Range(0, 10));
        using (var enumerator = results.GetEnumerator())
        {
            Assert.True(enumerator.MoveNext());
            Assert.Equal(0, enumerator.Current);
        }

        release.Set();
        executor.Shutdown(wait: true);
        Assert.InRange(ran, 1, 2); // item 1 may or may not have started; items 2..9 never do
    }

    [Fact]
    public void HundredThousandSubmissions_FromSeveralProducers_LoseNothing()
    {
        using var executor = new ThreadPoolExecutor(4);
        const int Producers = 4;
        const int PerProducer = 25_000;
        var futures = new ConcurrentBag<Future<int>>();
        long executed = 0;
        var producers = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                int value = p * PerProducer + i;
                futures.Add(executor.Submit(() =>
                {
                    Interlocked.Increment(ref executed);
                    return value;
                }));
            }
        })).ToList();
        producers.ForEach(t => t.Start());
        producers.ForEach(t => t.Join());
        var values = futures.Select(f => f.Result(Patience)).ToList();
        Assert.Equal(Producers * PerProducer, values.Count);
        Assert.Equal(Enumerable.Range(0, Producers * PerProducer), values.Order());
        Assert.Equal(Producers * PerProducer, Interlocked.Read(ref executed));
    }

    [Fact]
    public void ExceptionStackTrace_PointsAtTheWork()
    {
        using var executor = new ThreadPoolExecutor(1);
        var exception = Assert.Throws<InvalidOperationException>(() => executor.Submit(Work.FailOnFive, 5).Result(Patience));
        Assert.Contains(nameof(Work.FailOnFive), exception.StackTrace, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
