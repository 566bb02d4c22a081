namespace ConcurrentFutures.Tests.Futures;

public class AsCompletedTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void YieldsAlreadyDoneFirst_ThenInCompletionOrder()
    {
        var slow = new Future<int>();
        var fast = new Future<int>();
        var done = new Future<int>();
        done.SetResult(0);
        WaitTests.CompleteInOrder((fast, 1), (slow, 2));
        var order = ConcurrentFutures.Futures.AsCompleted([slow, fast, done], Patience).ToList();
        Assert.Equal([done, fast, slow], order);
    }

    [Fact]
    public void YieldsEachDistinctFutureOnce()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        a.SetResult(1);
        WaitTests.CompleteLater(b, 2, 10);
        var order = ConcurrentFutures.Futures.AsCompleted([a, b, a, b, a], Patience).ToList();
        Assert.Equal(2, order.Count);
    }

    [Fact]
    public void Timeout_ThrowsAndSaysHowManyAreUnfinished()
    {
        var done = new Future<int>();
        done.SetResult(1);
        var never1 = new Future<int>();
        var never2 = new Future<int>();
        var yielded = new List<Future<int>>();
        var exception = Assert.Throws<TimeoutException>(() =>
        {
            foreach (var future in ConcurrentFutures.Futures.AsCompleted([done, never1, never2], TimeSpan.FromMilliseconds(50)))
            {
                yielded.Add(future);
            }
        });
        Assert.Equal([done], yielded);
        Assert.Contains("2 (of 3) futures unfinished", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IncludesCancelledFutures()
    {
        var cancelled = new Future<int>();
        var later = new Future<int>();
        _ = Task.Run(async () =>
        {
            await Task.Delay(10);
            later.Cancel();
        });
        cancelled.Cancel();
        Assert.Equal(2, ConcurrentFutures.Futures.AsCompleted([cancelled, later], Patience).Count());
    }

    [Fact]
    public void NullInput_IsRejectedAtTheCall()
    {
        Assert.Throws<ArgumentNullException>(() => ConcurrentFutures.Futures.AsCompleted<Future>(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurrentFutures.Futures.AsCompleted([new Future()], TimeSpan.FromSeconds(-5)));
    }

    [Fact]
    public async Task AsCompletedAsync_YieldsInCompletionOrder_AndTimesOut()
    {
        var slow = new Future<int>();
        var fast = new Future<int>();
        WaitTests.CompleteInOrder((fast, 1), (slow, 2));
        var order = new List<Future<int>>();
        await foreach (var future in ConcurrentFutures.Futures.AsCompletedAsync([slow, fast], Patience))
        {
            order.Add(future);
        }

        Assert.Equal([fast, slow], order);

        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (var _ in ConcurrentFutures.Futures.AsCompletedAsync([new Future()], TimeSpan.FromMilliseconds(20)))
            {
            }
        });
    }

    [Fact]
    public async Task AsCompletedAsync_ObservesCancellation()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ConcurrentFutures.Futures.AsCompletedAsync([new Future()], cancellationToken: cts.Token))
            {
            }
        });
    }
}
