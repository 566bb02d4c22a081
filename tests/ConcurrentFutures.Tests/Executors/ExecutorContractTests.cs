namespace ConcurrentFutures.Tests.Executors;

/// <summary>
/// The behaviour every <see cref="Executor"/> must share. Work is given only as static methods, so the same tests
/// run against executors that send work to other processes or machines.
/// </summary>
public abstract class ExecutorContractTests
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Creates the executor under test; the test disposes it.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers = 2);

    [Fact]
    public void Submit_ReturnsTheResult_ForEveryArity()
    {
        using Executor executor = CreateExecutor();
        Assert.Equal(42, executor.Submit(Work.FortyTwo).Result(Patience));
        Assert.Equal(49, executor.Submit(Work.Square, 7).Result(Patience));
        Assert.Equal(5, executor.Submit(Work.Add, 2, 3).Result(Patience));
        Assert.Equal("a-b-c", executor.Submit(Work.Join3, "a", "b", "c").Result(Patience));
    }

    [Fact]
    public void Submit_TakesUpToSixArguments()
    {
        using Executor executor = CreateExecutor();
        Assert.Equal(10, executor.Submit(Work.Sum4, 1, 2, 3, 4).Result(Patience));
        Assert.Equal(15, executor.Submit(Work.Sum5, 1, 2, 3, 4, 5).Result(Patience));
        Assert.Equal("a-1-2-2.5-True-z", executor.Submit(Work.Join6, "a", 1, 2L, 2.5, true, 'z').Result(Patience));
        Assert.Equal(21, executor.SubmitAsync(Work.Sum6Async, 1, 2, 3, 4, 5, 6).Result(Patience));
        executor.Submit(Work.DoNothingWith6, 1, 2, 3, 4, 5, 6).Wait(Patience);
    }

    [Fact]
    public void Submit_WithATokenAlreadyCancelled_ReturnsACancelledFuture_AndQueuesNothing()
    {
        using Executor executor = CreateExecutor();
        Future<int> future = executor.Submit(Work.Square, 3, new CancellationToken(canceled: true));
        Assert.True(future.IsCancelled);
        Assert.Throws<OperationCanceledException>(() => future.Result(Patience));
        Assert.True(executor.SubmitAsync(Work.DoubleAsync, 1, new CancellationToken(canceled: true)).IsCancelled);
        Assert.Equal(9, executor.Submit(Work.Square, 3).Result(Patience)); // the executor goes on
    }

    /// <summary>
    /// One worker, busy: the work queued behind it is cancelled by the token (each executor may already have handed a
    /// little of it on, so that part runs); every future ends either cancelled or with its own result.
    /// </summary>
    [Fact]
    public void Submit_WithAToken_CancelledWhileQueued_EndsCancelled()
    {
        using Executor executor = CreateExecutor(maxWorkers: 1);
        Future<int> busy = executor.Submit(Work.SleepThenReturn, 300);
        using var cts = new CancellationTokenSource();
        List<Future<int>> queued = [.. Enumerable.Range(0, 40).Select(i => executor.Submit(Work.Square, i, cts.Token))];
        cts.Cancel();
        Assert.Equal(300, busy.Result(Patience));
        Assert.True(queued.Count(f => f.IsCancelled) >= 20, $"only {queued.Count(f => f.IsCancelled)} of 40 queued calls were cancelled");
        for (int i = 0; i < queued.Count; i++)
        {
            if (queued[i].IsCancelled)
            {
                Assert.Throws<OperationCanceledException>(() => queued[i].Result(Patience));
            }
            else
            {
                Assert.Equal(i * i, queued[i].Result(Patience));
            }
        }
    }

    [Fact]
    public void Map_WithAToken_StopsTheEnumeration_AndCancelsWhatHasNotStarted()
    {
        using Executor executor = CreateExecutor(maxWorkers: 1);
        using var cts = new CancellationTokenSource();
        using IEnumerator<int> results = executor.Map(Work.SleepThenReturn, Enumerable.Repeat(100, 30), cancellationToken: cts.Token).GetEnumerator();
        Assert.True(results.MoveNext());
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => results.MoveNext());
        Assert.ThrowsAny<OperationCanceledException>(() => executor.Map(Work.Square, [1], cancellationToken: cts.Token));
    }

    [Fact]
    public void Map_WithAToken_EndsAWaitOnWorkThatIsRunning()
    {
        using Executor executor = CreateExecutor(maxWorkers: 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => executor.Map(Work.SleepThenReturn, [4_000], cancellationToken: cts.Token).ToList());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"the wait ended only when the work did, after {clock.Elapsed}");
    }

    [Fact]
    public async Task MapAsync_WithATimeout_ThrowsTimeoutException()
    {
        await using Executor executor = CreateExecutor(maxWorkers: 1);
        var exception = await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (int _ in executor.MapAsync(Work.SleepThenReturn, [0, 3_000], timeout: TimeSpan.FromMilliseconds(300)))
            {
            }
        });
        Assert.Contains("did not finish within", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_Action_Completes()
    {
        using Executor executor = CreateExecutor();
        Future future = executor.Submit(Work.DoNothing);
        future.Wait(Patience);
        Assert.Equal(FutureState.Finished, future.State);
        executor.Submit(Work.DoNothingWith, 1).Wait(Patience);
        executor.Submit(Work.DoNothingWith2, 1, "x").Wait(Patience);
        executor.Submit(Work.DoNothingWith3, 1, "x", 2.5).Wait(Patience);
    }

    [Fact]
    public void SubmitAsync_CompletesWithTheTasksResult()
    {
        using Executor executor = CreateExecutor();
        Assert.Equal(14, executor.SubmitAsync(Work.DoubleAsync, 7).Result(Patience));
        Assert.Equal(3, executor.SubmitAsync(Work.ThreeAsync).Result(Patience));
        executor.SubmitAsync(Work.DelayAsync, 5).Wait(Patience);
        Assert.Throws<FormatException>(() => executor.SubmitAsync(Work.FailAsync, 1).Result(Patience));
    }

    [Fact]
    public void Submit_WorkException_ComesBackAsTheSameType()
    {
        using Executor executor = CreateExecutor();
        var future = executor.Submit(Work.FailOnFive, 5);
        var exception = Assert.Throws<InvalidOperationException>(() => future.Result(Patience));
        Assert.Contains("item 5 failed", exception.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(future.GetException(Patience));
    }

    [Fact]
    public void Submit_NullFunction_IsRejected()
    {
        using Executor executor = CreateExecutor();
        Assert.Throws<ArgumentNullException>(() => executor.Submit((Func<int>)null!));
        Assert.Throws<ArgumentNullException>(() => executor.Submit((Action)null!));
        Assert.Throws<ArgumentNullException>(() => executor.Map<int, int>(null!, [1]));
        Assert.Throws<ArgumentNullException>(() => executor.Map(Work.Square, (IEnumerable<int>)null!));
    }

    [Fact]
    public void Map_ReturnsResultsInInputOrder_EvenWhenTheyFinishOutOfOrder()
    {
        using Executor executor = CreateExecutor(maxWorkers: 3);
        int[] sleeps = [120, 60, 0, 90, 10];
        Assert.Equal(sleeps, executor.Map(Work.SleepThenReturn, sleeps, Patience).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Map_WithChunkSize_ReturnsEveryResultInOrder(int chunkSize)
    {
        using Executor executor = CreateExecutor();
        int[] items = Enumerable.Range(0, 103).ToArray();
        Assert.Equal(items.Select(Work.Square), executor.Map(Work.Square, items, Patience, chunkSize));
    }

    [Fact]
    public void Map_ThrowsTheFirstFailure_WhenItsTurnComes()
    {
        using Executor executor = CreateExecutor();
        var yielded = new List<int>();
        var exception = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (int result in executor.Map(Work.FailOnFive, Enumerable.Range(0, 10), Patience))
            {
                yielded.Add(result);
            }
        });
        Assert.Equal([0, 1, 2, 3, 4], yielded);
        Assert.Contains("item 5 failed", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_WithChunks_ThrowsTheFailureOfItsChunk()
    {
        using Executor executor = CreateExecutor();
        Assert.Throws<InvalidOperationException>(() => executor.Map(Work.FailOnFive, Enumerable.Range(0, 10), Patience, chunkSize: 3).ToList());
    }

    [Fact]
    public void Map_TwoSources_ZipsAndStopsAtTheShorter()
    {
        using Executor executor = CreateExecutor();
        Assert.Equal([11, 22, 33], executor.Map(Work.Add, [1, 2, 3, 4], [10, 20, 30], Patience));
        Assert.Equal([11, 22, 33], executor.Map(Work.Add, [1, 2, 3, 4], [10, 20, 30], Patience, chunkSize: 2));
    }

    [Fact]
    public void Map_Timeout_ThrowsTimeoutException()
    {
        using Executor executor = CreateExecutor();
        var results = executor.Map(Work.SleepThenReturn, [1000, 1000], TimeSpan.FromMilliseconds(50));
        Assert.Throws<TimeoutException>(() => results.ToList());
    }

    [Fact]
    public void Map_InvalidChunkOrBufferSize_IsRejectedAtTheCall()
    {
        using Executor executor = CreateExecutor();
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map(Work.Square, [1], chunkSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map(Work.Square, [1], bufferSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Map(Work.Square, [1], timeout: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.MapAsync(Work.Square, [1], chunkSize: -3));
    }

    [Fact]
    public void Map_WithoutBufferSize_SubmitsEverythingAtTheCall()
    {
        using Executor executor = CreateExecutor();
        int pulled = 0;
        IEnumerable<int> Source()
        {
            for (int i = 0; i < 50; i++)
            {
                pulled++;
                yield return i;
            }
        }

        var results = executor.Map(Work.Square, Source());
        Assert.Equal(50, pulled);
        Assert.Equal(Enumerable.Range(0, 50).Select(Work.Square), results);
    }

    [Fact]
    public void Map_WithBufferSize_WorksOnAnEndlessSource_AndKeepsAtMostThatManyInFlight()
    {
        using Executor executor = CreateExecutor();
        int pulled = 0;
        IEnumerable<int> Endless()
        {
            for (int i = 0; ; i++)
            {
                pulled++;
                yield return i;
            }
        }

        var yielded = new List<int>();
        foreach (int result in executor.Map(Work.Square, Endless(), Patience, bufferSize: 4))
        {
            Assert.True(pulled <= yielded.Count + 4, $"pulled {pulled} items with {yielded.Count} yielded and bufferSize 4");
            yielded.Add(result);
            if (yielded.Count == 100)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(Work.Square), yielded);
    }

    [Fact]
    public void Map_ResultsCanBeEnumeratedOnlyOnce()
    {
        using Executor executor = CreateExecutor();
        var results = executor.Map(Work.Square, [1, 2]);
        Assert.Equal([1, 4], results.ToList());
        Assert.Throws<InvalidOperationException>(() => results.ToList());
    }

    [Fact]
    public async Task MapAsync_YieldsResultsInOrder()
    {
        await using Executor executor = CreateExecutor();
        var results = new List<int>();
        await foreach (int result in executor.MapAsync(Work.SleepThenReturn, [50, 0, 20], chunkSize: 1))
        {
            results.Add(result);
        }

        Assert.Equal([50, 0, 20], results);

        results.Clear();
        await foreach (int result in executor.MapAsync(Work.Square, Enumerable.Range(0, 30), chunkSize: 4, bufferSize: 2))
        {
            results.Add(result);
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(Work.Square), results);
    }

    [Fact]
    public async Task MapAsync_ObservesCancellation()
    {
        await using Executor executor = CreateExecutor();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int _ in executor.MapAsync(Work.SleepThenReturn, [2000, 2000], cancellationToken: cts.Token))
            {
            }
        });
    }

    /// <summary>
    /// Without a buffer size MapAsync submits its whole source at the call (as Python's map): a token cancelled meanwhile
    /// (a host stopping, say) stops the submitting, cancels what was submitted and ends the call — it used to read an
    /// endless source for ever.
    /// </summary>
    [Fact]
    public void MapAsync_CancelledWhileSubmittingItsSource_StopsReadingIt_AndCancelsWhatItSubmitted()
    {
        using Executor executor = CreateExecutor(maxWorkers: 1);
        using var cts = new CancellationTokenSource();
        int read = 0;
        IEnumerable<int> Endless()
        {
            for (int i = 0; ; i++)
            {
                if (++read == 50)
                {
                    cts.Cancel(); // as another thread would, while the source is being submitted
                }

                yield return 1_000;
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() => executor.MapAsync(Work.SleepThenReturn, Endless(), cancellationToken: cts.Token));
        Assert.Equal(50, read);
    }

    [Fact]
    public void AsCompleted_OverSubmittedWork_YieldsEveryFuture()
    {
        using Executor executor = CreateExecutor(maxWorkers: 3);
        var futures = new[] { 90, 10, 50 }.Select(ms => executor.Submit(Work.SleepThenReturn, ms)).ToList();
        var results = ConcurrentFutures.Futures.AsCompleted(futures, Patience).Select(f => f.Result()).ToList();
        Assert.Equal([10, 50, 90], results.Order());
    }

    [Fact]
    public void Shutdown_WithWait_RunsQueuedWorkFirst()
    {
        Executor executor = CreateExecutor(maxWorkers: 1);
        var futures = Enumerable.Range(0, 5).Select(i => executor.Submit(Work.SleepThenReturn, 20)).ToList();
        executor.Shutdown(wait: true);
        Assert.All(futures, f => Assert.Equal(20, f.Result(TimeSpan.Zero)));
    }

    [Fact]
    public void Shutdown_WithCancelFutures_CancelsWorkNotStarted()
    {
        Executor executor = CreateExecutor(maxWorkers: 1);
        var first = executor.Submit(Work.SleepThenReturn, 300);
        var queued = Enumerable.Range(0, 5).Select(i => executor.Submit(Work.SleepThenReturn, 300)).ToList();
        Thread.Sleep(100); // let the first item start
        executor.Shutdown(wait: true, cancelFutures: true);
        Assert.True(queued.Count(f => f.IsCancelled) >= 4, "at most one queued item may have started before the shutdown");
        Assert.All(queued, f => Assert.True(f.IsDone));
    }

    [Fact]
    public void Submit_AfterShutdown_Throws()
    {
        Executor executor = CreateExecutor();
        executor.Shutdown();
        executor.Shutdown();
        Assert.ThrowsAny<InvalidOperationException>(() => executor.Submit(Work.FortyTwo));
        Assert.ThrowsAny<InvalidOperationException>(() => executor.Map(Work.Square, [1]));
        executor.Dispose();
    }

    [Fact]
    public async Task DisposeAsync_WaitsForSubmittedWork()
    {
        Executor executor = CreateExecutor();
        var future = executor.Submit(Work.SleepThenReturn, 50);
        await executor.DisposeAsync();
        Assert.True(future.IsDone);
        Assert.Equal(50, future.Result(TimeSpan.Zero));
    }

    [Fact]
    public void ManySubmissions_LoseNothing()
    {
        using Executor executor = CreateExecutor();
        var futures = Enumerable.Range(0, 2_000).Select(i => executor.Submit(Work.Square, i)).ToList();
        Assert.Equal(Enumerable.Range(0, 2_000).Sum(i => (long)i * i), futures.Sum(f => (long)f.Result(Patience)));
    }
}
