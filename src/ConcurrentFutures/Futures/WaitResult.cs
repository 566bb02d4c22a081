namespace ConcurrentFutures;

/// <summary>What <see cref="Futures.Wait{TFuture}"/> found: the futures that are done and those that are not.</summary>
/// <typeparam name="TFuture">The future type that was waited on.</typeparam>
/// <param name="Done">Futures that finished or were cancelled.</param>
/// <param name="NotDone">Futures still pending or running when the wait returned.</param>
/// <remarks>Python: the <c>DoneAndNotDoneFutures</c> named tuple.</remarks>
public sealed record WaitResult<TFuture>(IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> NotDone)
    where TFuture : Future;
