using System.Reflection;

namespace ConcurrentFutures.Tests.Futures;

/// <summary>The producer's side of a future: what a caller holding only the future cannot do, a source can.</summary>
public class FutureSourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ASource_CompletesItsFuture_WithAValue()
    {
        var source = new FutureSource<int>();
        Future<int> future = source.Future;
        Assert.Equal(FutureState.Pending, future.State);
        Assert.True(source.SetRunningOrNotifyCancel());
        Assert.True(future.IsRunning);
        source.SetResult(42);
        Assert.Equal(42, future.Result(Patience));
        Assert.Equal(42, await future);
        Assert.False(source.TrySetResult(7));
        Assert.Throws<InvalidOperationException>(() => source.SetResult(7));
    }

    [Fact]
    public void ASource_CompletesItsFuture_WithTheWorksException()
    {
        var source = new FutureSource();
        source.SetException(new FormatException("bad input"));
        Assert.Equal("bad input", Assert.Throws<FormatException>(() => source.Future.Wait(Patience)).Message);
        Assert.False(source.TrySetException(new InvalidOperationException()));
        Assert.Throws<ArgumentNullException>(() => source.SetException(null!));

        var typed = new FutureSource<string>();
        Assert.True(typed.TrySetException(new TimeoutException("late")));
        Assert.IsType<TimeoutException>(typed.Future.GetException(Patience));
    }

    [Fact]
    public void AFutureCancelledByItsHolder_TellsTheSource()
    {
        var source = new FutureSource<int>();
        Assert.True(source.Future.Cancel());
        Assert.False(source.SetRunningOrNotifyCancel()); // skip the work
        Assert.False(source.TrySetResult(1));
        var plain = new FutureSource();
        plain.Future.Cancel();
        Assert.False(plain.SetRunningOrNotifyCancel());
    }

    [Fact]
    public async Task WaitAsync_ReturnsTheResult_ThrowsTheWorksException_AndEndsOnTimeoutOrToken()
    {
        var source = new FutureSource<int>();
        await Assert.ThrowsAsync<TimeoutException>(() => source.Future.WaitAsync(TimeSpan.FromMilliseconds(20)));
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(20)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.Future.WaitAsync(cancellationToken: soon.Token));
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.Future.WaitAsync(cancellationToken: new CancellationToken(canceled: true)));
        Task<int> waiting = source.Future.WaitAsync(Patience);
        source.SetResult(5);
        Assert.Equal(5, await waiting);
        Assert.False(source.Future.IsCancelled); // the token stopped the waiting, not the work

        var failing = new FutureSource();
        Task failed = failing.Future.WaitAsync();
        failing.SetException(new FormatException("own"));
        Assert.Equal("own", (await Assert.ThrowsAsync<FormatException>(() => failed)).Message);
    }

    /// <summary>A future handed to a caller cannot be completed by that caller: the completion methods are not public.</summary>
    [Fact]
    public void TheFuturesCompletionMethods_AreNotPublic()
    {
        string[] completion = ["SetResult", "SetException", "SetRunningOrNotifyCancel"];
        foreach (Type type in new[] { typeof(Future), typeof(Future<int>) })
        {
            Assert.DoesNotContain(type.GetMethods(BindingFlags.Public | BindingFlags.Instance), m => completion.Contains(m.Name));
            Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        }
    }
}
