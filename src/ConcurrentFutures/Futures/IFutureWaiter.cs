namespace ConcurrentFutures;

/// <summary>
/// Told when a future is done. Used by <see cref="Futures.Wait{TFuture}"/> and <see cref="Futures.AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/>,
/// which, unlike user callbacks, must be removable once the wait is over (Python: <c>Future._waiters</c>).
/// </summary>
internal interface IFutureWaiter
{
    /// <summary>Called once, outside the future's lock, when the future becomes done. Must not throw.</summary>
    void OnDone(Future future);
}
