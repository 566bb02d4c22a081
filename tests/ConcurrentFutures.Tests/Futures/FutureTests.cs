using System.Diagnostics;

namespace ConcurrentFutures.Tests.Futures;

public class FutureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void NewFuture_IsPending()
    {
        var future = new Future<int>();
        Assert.Equal(FutureState.Pending, future.State);
        Assert.False(future.IsDone);
        Assert.False(future.IsRunning);
        Assert.False(future.IsCancelled);
    }

    [Fact]
    public void PendingFuture_CanBeCancelled_AndCancelIsIdempotent()
    {
        var future = new Future<int>();
        Assert.True(future.Cancel());
        Assert.True(future.Cancel());
        Assert.True(future.IsCancelled);
        Assert.True(future.IsDone);
        Assert.Throws<OperationCanceledException>(() => future.Result());
        Assert.Throws<OperationCanceledException>(() => future.GetException());
    }

    [Fact]
    public void RunningFuture_CannotBeCancelled()
    {
        var future = new Future<int>();
        Assert.True(future.SetRunningOrNotifyCancel());
        Assert.True(future.IsRunning);
        Assert.False(future.Cancel());
        Assert.Equal(FutureState.Running, future.State);
    }

    [Fact]
    public void FinishedFuture_CannotBeCancelled()
    {
        var future = new Future<int>();
        future.SetResult(5);
        Assert.False(future.Cancel());
        Assert.Equal(5, future.Result());
    }

    [Fact]
    public void SetRunningOrNotifyCancel_ReturnsFalseForCancelled_AndThrowsWhenAlreadyRunningOrDone()
    {
        var cancelled = new Future();
        cancelled.Cancel();
        Assert.False(cancelled.SetRunningOrNotifyCancel());

        var running = new Future();
        running.SetRunningOrNotifyCancel();
        Assert.Throws<InvalidOperationException>(() => running.SetRunningOrNotifyCancel());

        var finished = new Future();
        finished.SetResult();
        Assert.Throws<InvalidOperationException>(() => finished.SetRunningOrNotifyCancel());
    }

    [Fact]
    public void SettingTwice_Throws()
    {
        var future = new Future<int>();
        future.SetResult(1);
        Assert.Throws<InvalidOperationException>(() => future.SetResult(2));
        Assert.Throws<InvalidOperationException>(() => future.SetException(new InvalidCastException()));
        Assert.Equal(1, future.Result());

        var cancelled = new Future<int>();
        cancelled.Cancel();
        Assert.Throws<InvalidOperationException>(() => cancelled.SetResult(2));
    }

    [Fact]
    public void VoidFuture_SetResult_CompletesWithoutValue()
    {
        var future = new Future();
        future.SetResult();
        future.Wait();
        Assert.Null(future.GetException());
        Assert.Equal(FutureState.Finished, future.State);
    }

    [Fact]
    public void Result_RethrowsTheWorksOwnException_WithItsStackTrace()
    {
        var future = new Future<int>();
        try
        {
            ThrowFromNamedMethod();
        }
        catch (InvalidOperationException exception)
        {
            future.SetException(exception);
        }

        var thrown = Assert.Throws<InvalidOperationException>(() => future.Result());
        Assert.Equal("boom", thrown.Message);
        Assert.Contains(nameof(ThrowFromNamedMethod), thrown.StackTrace);
        Assert.IsType<InvalidOperationException>(future.GetException());
    }

    [Fact]
    public void Result_TimesOut_WithTimeoutException()
    {
        var future = new Future<int>();
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.FromMilliseconds(20)));
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.Zero));
        Assert.Throws<TimeoutException>(() => future.Wait(TimeSpan.FromMilliseconds(1)));
        Assert.Throws<TimeoutException>(() => future.GetException(TimeSpan.Zero));
    }

    [Fact]
    public void NegativeTimeout_IsRejected()
    {
        var future = new Future<int>();
        Assert.Throws<ArgumentOutOfRangeException>(() => future.Result(TimeSpan.FromSeconds(-2)));
    }

    [Fact]
    public void Result_WakesUpWhenAnotherThreadCompletes()
    {
        var future = new Future<string>();
        var setter = new Thread(() =>
        {
            Thread.Sleep(50);
            future.SetResult("done");
        });
        setter.Start();
        Assert.Equal("done", future.Result(Patience));
        setter.Join();
    }

    [Fact]
    public void Result_WakesUpWhenAnotherThreadCancels()
    {
        var future = new Future<string>();
        var canceller = new Thread(() =>
        {
            Thread.Sleep(50);
            future.Cancel();
        });
        canceller.Start();
        Assert.Throws<OperationCanceledException>(() => future.Result(Patience));
        canceller.Join();
    }

    [Fact]
    public void DoneCallbacks_RunOnce_InOrder_OnCompletion()
    {
        var future = new Future<int>();
        var calls = new List<string>();
        future.AddDoneCallback(_ => calls.Add("first"));
        future.AddDoneCallback((Future<int> f) => calls.Add($"second:{f.Result()}"));
        Assert.Empty(calls);
        future.SetResult(3);
        Assert.Equal(["first", "second:3"], calls);
    }

    [Fact]
    public void DoneCallback_RunsAtOnce_WhenAlreadyDone()
    {
        var future = new Future<int>();
        future.Cancel();
        bool called = false;
        future.AddDoneCallback(f => called = f.IsCancelled);
        Assert.True(called);
    }

    [Fact]
    public void ThrowingCallback_IsReported_AndDoesNotStopTheOthers()
    {
        var listener = new RecordingTraceListener();
        Trace.Listeners.Add(listener);
        try
        {
            var future = new Future<int>();
            bool secondRan = false;
            future.AddDoneCallback(_ => throw new InvalidOperationException("callback-failure-marker"));
            future.AddDoneCallback(_ => secondRan = true);
            future.SetResult(1);
            Assert.True(secondRan);
            Assert.Contains(listener.Messages, m => m.Contains("callback-failure-marker", StringComparison.Ordinal));
            Assert.Equal(1, future.Result());
        }
        finally
        {
            Trace.Listeners.Remove(listener);
        }
    }

    [Fact]
    public async Task Await_ReturnsResult_OrThrowsTheWorksException()
    {
        var ok = new Future<int>();
        var failed = new Future<int>();
        var cancelled = new Future<int>();
        _ = Task.Run(async () =>
        {
            await Task.Delay(10);
            ok.SetResult(7);
            failed.SetException(new FormatException("bad"));
            cancelled.Cancel();
        });
        Assert.Equal(7, await ok);
        await Assert.ThrowsAsync<FormatException>(async () => await failed);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
    }

    [Fact]
    public async Task AsTask_OfAlreadyDoneFuture_IsCompleted()
    {
        var future = new Future();
        future.SetResult();
        Task task = future.AsTask();
        Assert.Same(task, future.AsTask());
        await task;
        Assert.True(task.IsCompletedSuccessfully);
    }

    [Fact]
    public void ToString_ShowsTheState()
    {
        var future = new Future<int>();
        future.SetException(new FormatException());
        Assert.Contains("FINISHED", future.ToString(), StringComparison.Ordinal);
        Assert.Contains("FormatException", future.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Race_CancelSetResultAndResult_FromManyThreads_AgreeOnOneOutcome()
    {
        for (int round = 0; round < 2_000; round++)
        {
            var future = new Future<int>();
            int cancelWon = 0;
            int setWon = 0;
            int callbacks = 0;
            future.AddDoneCallback(_ => Interlocked.Increment(ref callbacks));
            using var start = new Barrier(4);
            var threads = new[]
            {
                new Thread(() =>
                {
                    start.SignalAndWait();
                    if (future.Cancel())
                    {
                        Interlocked.Increment(ref cancelWon);
                    }
                }),
                new Thread(() =>
                {
                    start.SignalAndWait();
                    if (future.SetRunningOrNotifyCancel())
                    {
                        future.SetResult(42);
                        Interlocked.Increment(ref setWon);
                    }
                }),
                new Thread(() =>
                {
                    start.SignalAndWait();
                    try
                    {
                        Assert.Equal(42, future.Result(Patience));
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }),
                new Thread(() =>
                {
                    start.SignalAndWait();
                    future.Cancel();
                }),
            };
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.True(future.IsDone);
            Assert.Equal(1, callbacks);
            Assert.True(cancelWon + setWon >= 1);
            Assert.Equal(future.IsCancelled ? 0 : 1, setWon);
            if (future.IsCancelled)
            {
                Assert.Throws<OperationCanceledException>(() => future.Result());
            }
            else
            {
                Assert.Equal(42, future.Result());
                Assert.Equal(0, cancelWon);
            }
        }
    }

    private static void ThrowFromNamedMethod() => throw new InvalidOperationException("boom");

    private sealed class RecordingTraceListener : TraceListener
    {
        public List<string> Messages { get; } = [];

        public override void Write(string? message)
        {
            lock (Messages)
            {
                Messages.Add(message ?? string.Empty);
            }
        }

        public override void WriteLine(string? message) => Write(message);
    }
}
