namespace ConcurrentFutures.Tests.Futures;

public class WaitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void AllCompleted_ReturnsWhenEveryFutureIsDone()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        CompleteLater(b, 1, delayMs: 30);
        a.SetResult(0);
        WaitResult<Future<int>> result = ConcurrentFutures.Futures.Wait([a, b], Patience);
        Assert.Equal(2, result.Done.Count);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public void FirstCompleted_ReturnsAsSoonAsOneIsDone()
    {
        var done = new Future<int>();
        var never = new Future<int>();
        CompleteLater(done, 1, delayMs: 30);
        var result = ConcurrentFutures.Futures.Wait([done, never], Patience, ReturnWhen.FirstCompleted);
        Assert.Equal([done], result.Done);
        Assert.Equal([never], result.NotDone);
    }

    [Fact]
    public void FirstCompleted_CountsACancelledFuture()
    {
        var cancelled = new Future<int>();
        var never = new Future<int>();
        cancelled.Cancel();
        var result = ConcurrentFutures.Futures.Wait([cancelled, never], Patience, ReturnWhen.FirstCompleted);
        Assert.Contains(cancelled, result.Done);
    }

    [Fact]
    public void FirstException_ReturnsAtTheFirstFailure()
    {
        var ok = new Future<int>();
        var failing = new Future<int>();
        var never = new Future<int>();
        ok.SetResult(1);
        _ = Task.Run(async () =>
        {
            await Task.Delay(30);
            failing.SetException(new FormatException());
        });
        var result = ConcurrentFutures.Futures.Wait([ok, failing, never], Patience, ReturnWhen.FirstException);
        Assert.Equal(2, result.Done.Count);
        Assert.Contains(failing, result.Done);
        Assert.Equal([never], result.NotDone);
    }

    [Fact]
    public void FirstException_WithoutFailures_WaitsForAll()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        CompleteLater(a, 1, 10);
        CompleteLater(b, 2, 40);
        var result = ConcurrentFutures.Futures.Wait([a, b], Patience, ReturnWhen.FirstException);
        Assert.Equal(2, result.Done.Count);
    }

    [Fact]
    public void FirstException_AlreadyFailed_ReturnsAtOnce()
    {
        var failed = new Future<int>();
        failed.SetException(new FormatException());
        var never = new Future<int>();
        var result = ConcurrentFutures.Futures.Wait([failed, never], returnWhen: ReturnWhen.FirstException);
        Assert.Equal([failed], result.Done);
    }

    [Fact]
    public void Timeout_ReturnsWhatIsDone_WithoutThrowing()
    {
        var done = new Future<int>();
        done.SetResult(1);
        var never = new Future<int>();
        var result = ConcurrentFutures.Futures.Wait([done, never], TimeSpan.FromMilliseconds(50));
        Assert.Equal([done], result.Done);
        Assert.Equal([never], result.NotDone);
    }

    [Fact]
    public void Duplicates_AreCountedOnce()
    {
        var a = new Future<int>();
        a.SetResult(1);
        var result = ConcurrentFutures.Futures.Wait([a, a, a]);
        Assert.Single(result.Done);
    }

    [Fact]
    public void EmptyInput_ReturnsEmptySets()
    {
        var result = ConcurrentFutures.Futures.Wait(Array.Empty<Future>());
        Assert.Empty(result.Done);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => ConcurrentFutures.Futures.Wait<Future>(null!));
        Assert.Throws<ArgumentNullException>(() => ConcurrentFutures.Futures.Wait(new Future[] { null! }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConcurrentFutures.Futures.Wait([new Future()], returnWhen: (ReturnWhen)42));
    }

    [Fact]
    public void Wait_DoesNotLeaveWaitersOnFuturesItGaveUpOn()
    {
        var never = new Future<int>();
        for (int i = 0; i < 100; i++)
        {
            ConcurrentFutures.Futures.Wait([never], TimeSpan.Zero);
            ConcurrentFutures.Futures.Wait([never], TimeSpan.FromMilliseconds(1));
            Assert.Throws<TimeoutException>(() => ConcurrentFutures.Futures.AsCompleted([never], TimeSpan.FromMilliseconds(1)).ToList());
        }

        // Nothing stays registered on the future (the private list of its callbacks and waiters, read as a test may):
        // 300 timed-out waits left behind would each be kept alive, and woken, by a future that may live for hours.
        Assert.Equal(0, RegisteredCount(never));

        int calls = 0;
        never.AddDoneCallback(_ => calls++);
        never.SetResult(1);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task WaitAsync_AllModes()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        CompleteLater(a, 1, 10);
        var first = await ConcurrentFutures.Futures.WaitAsync([a, b], Patience, ReturnWhen.FirstCompleted);
        Assert.Equal([a], first.Done);
        b.SetException(new FormatException());
        var all = await ConcurrentFutures.Futures.WaitAsync([a, b], Patience);
        Assert.Equal(2, all.Done.Count);
        var timedOut = await ConcurrentFutures.Futures.WaitAsync([new Future()], TimeSpan.FromMilliseconds(10));
        _ = Assert.Single(timedOut.NotDone);
    }

    [Fact]
    public async Task WaitAsync_ObservesCancellation()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ConcurrentFutures.Futures.WaitAsync([new Future()], cancellationToken: cts.Token));
    }

    /// <summary>Completes the futures one after another on a dedicated thread, so their order is certain.</summary>
    internal static void CompleteInOrder<T>(params (Future<T> Future, T Value)[] completions)
    {
        var thread = new Thread(() =>
        {
            foreach (var (future, value) in completions)
            {
                Thread.Sleep(20);
                future.SetResult(value);
            }
        });
        thread.Start();
    }

    internal static void CompleteLater<T>(Future<T> future, T value, int delayMs) =>
        _ = CompleteLaterAsync(future, value, delayMs);

    private static Task CompleteLaterAsync<T>(Future<T> future, T value, int delayMs) =>
        Task.Run(async () =>
        {
            await Task.Delay(delayMs);
            future.SetResult(value);
        });

    private static int RegisteredCount(Future future) =>
        typeof(Future).GetField("_callbacks", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(future) switch
        {
            null => 0,
            System.Collections.ICollection list => list.Count,
            _ => 1,
        };
}
