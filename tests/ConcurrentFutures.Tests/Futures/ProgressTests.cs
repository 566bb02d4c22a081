using System.Collections.Concurrent;
using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Tests.Futures;

public class ProgressTests
{
    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    private sealed class Recorder : IProgress<FutureProgress>
    {
        public ConcurrentQueue<FutureProgress> Reports { get; } = new();

        public void Report(FutureProgress value) => Reports.Enqueue(value);
    }

    [Fact]
    public void Map_ReportsEachFinishedItem_WithTheTotalOfACollection()
    {
        var progress = new Recorder();
        using var executor = new ThreadPoolExecutor(4);
        int[] results = executor.Map(Work.Square, Enumerable.Range(1, 10).ToList(), progress).ToArray();
        executor.Shutdown();

        Assert.Equal(Enumerable.Range(1, 10).Select(x => x * x), results);
        FutureProgress[] reports = [.. progress.Reports];
        Assert.Equal(10, reports.Length);
        Assert.All(reports, r => Assert.Equal(10, r.Total));
        Assert.Equal(Enumerable.Range(1, 10), reports.Select(r => r.Done)); // one report per item, always newer
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.True(reports[^1].Elapsed >= reports[0].Elapsed);
    }

    [Fact]
    public void Map_WithChunks_CountsItemsNotChunks_AndCountsFailures()
    {
        var progress = new Recorder();
        using var executor = new ThreadPoolExecutor(2);
        Assert.Throws<InvalidOperationException>(() => executor.Map(Work.FailOnFive, Enumerable.Range(1, 9).ToArray(), progress, chunkSize: 3).ToArray());
        executor.Shutdown(); // every chunk has finished: one failed (items 4-6), the others may have been cancelled

        FutureProgress last = progress.Reports.Last();
        Assert.Equal(9, last.Done);
        Assert.True(last.Failed >= 3);
        Assert.Equal(0, last.Failed % 3);
    }

    [Fact]
    public void Map_OverALazySource_LearnsTheTotalWhenTheSourceEnds()
    {
        var progress = new Recorder();
        using var executor = new ThreadPoolExecutor(1);
        int[] results = executor.Map(Work.Square, Lazy(5), progress, bufferSize: 2).ToArray();
        executor.Shutdown();

        Assert.Equal([1, 4, 9, 16, 25], results);
        Assert.Null(progress.Reports.First().Total);
        Assert.Null(progress.Reports.First().Fraction);
        Assert.Equal(new FutureProgress(5, 0, 5, progress.Reports.Last().Elapsed), progress.Reports.Last());
    }

    [Fact]
    public async Task MapAsync_ReportsProgress()
    {
        var progress = new Recorder();
        await using var executor = new ThreadPoolExecutor(2);
        var results = new List<int>();
        await foreach (int result in executor.MapAsync(Work.Square, new[] { 1, 2, 3 }, progress))
        {
            results.Add(result);
        }

        await executor.DisposeAsync();
        Assert.Equal([1, 4, 9], results);
        Assert.Equal(3, progress.Reports.Max(r => r.Done));
    }

    [Fact]
    public void AsCompleted_ReportsDoneAndFailed_ForDistinctFutures()
    {
        var progress = new Recorder();
        using var executor = new ThreadPoolExecutor(2);
        Future<int> ok = executor.Submit(Work.Square, 2);
        Future<int> failed = executor.Submit(Work.FailOnFive, 5);
        Assert.Equal(2, ConcurrentFutures.Futures.AsCompleted([ok, failed, ok], progress).Count());

        FutureProgress last = progress.Reports.OrderBy(r => r.Done).Last();
        Assert.Equal((2, 1, 2), (last.Done, last.Failed, last.Total));
    }

    [Fact]
    public async Task AsCompletedAsync_ReportsProgress()
    {
        var progress = new Recorder();
        using var executor = new ThreadPoolExecutor(2);
        Future<int>[] futures = [executor.Submit(Work.Square, 2), executor.Submit(Work.Square, 3)];
        int count = 0;
        await foreach (Future<int> _ in ConcurrentFutures.Futures.AsCompletedAsync(futures, progress))
        {
            count++;
        }

        // A report comes from the thread that completed the future, just after the future became done; the iteration
        // may see it done first. The executor's shutdown waits for that thread (as in the Map tests above).
        executor.Shutdown();
        Assert.Equal(2, count);
        Assert.Equal(2, progress.Reports.Max(r => r.Done));
    }

    [Fact]
    public void ProgressOverloads_RejectANullProgress()
    {
        using var executor = new ThreadPoolExecutor(1);
        Assert.Throws<ArgumentNullException>("progress", () => executor.Map(Work.Square, [1], (IProgress<FutureProgress>)null!));
        Assert.Throws<ArgumentNullException>("progress", () => ConcurrentFutures.Futures.AsCompleted(Array.Empty<Future>(), (IProgress<FutureProgress>)null!));
    }

    private static IEnumerable<int> Lazy(int count)
    {
        for (int i = 1; i <= count; i++)
        {
            yield return i;
        }
    }
}
