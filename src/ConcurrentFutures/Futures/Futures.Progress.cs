namespace ConcurrentFutures;

/// <summary>AsCompleted with progress reporting.</summary>
public static partial class Futures
{
    /// <summary>
    /// As <see cref="AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/>, and reports a <see cref="FutureProgress"/>
    /// to <paramref name="progress"/> each time one of the futures finishes (Total is the number of distinct futures).
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are yielded and counted once.</param>
    /// <param name="progress">Receives the progress, from the threads that complete the futures, one report at a time.</param>
    /// <param name="timeout">One budget for the whole iteration, counted from this call; null waits forever.</param>
    /// <returns>The futures in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/>, one of its elements, or <paramref name="progress"/> is null.</exception>
    /// <exception cref="TimeoutException">Thrown while iterating when the timeout passes with futures still unfinished.</exception>
    public static IEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> futures, IProgress<FutureProgress> progress, TimeSpan? timeout = null)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(progress);
        List<TFuture> distinct = Distinct(futures);
        Deadline deadline = Deadline.From(timeout);
        Track(distinct, progress);
        return AsCompletedIterator(distinct, deadline, timeout);
    }

    /// <summary>
    /// As <see cref="AsCompletedAsync{TFuture}(IEnumerable{TFuture}, TimeSpan?, CancellationToken)"/>, and reports a
    /// <see cref="FutureProgress"/> to <paramref name="progress"/> each time one of the futures finishes.
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are yielded and counted once.</param>
    /// <param name="progress">Receives the progress.</param>
    /// <param name="timeout">One budget for the whole iteration, counted from this call; null waits forever.</param>
    /// <param name="cancellationToken">Stops the iteration with <see cref="OperationCanceledException"/>; the futures are not cancelled.</param>
    /// <returns>The futures in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/>, one of its elements, or <paramref name="progress"/> is null.</exception>
    /// <exception cref="TimeoutException">Thrown while iterating when the timeout passes with futures still unfinished.</exception>
    public static IAsyncEnumerable<TFuture> AsCompletedAsync<TFuture>(IEnumerable<TFuture> futures, IProgress<FutureProgress> progress, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(progress);
        List<TFuture> distinct = Distinct(futures);
        Deadline deadline = Deadline.From(timeout);
        Track(distinct, progress);
        return AsCompletedAsyncIterator(distinct, deadline, timeout, cancellationToken);
    }

    private static void Track<TFuture>(List<TFuture> futures, IProgress<FutureProgress> progress)
        where TFuture : Future
    {
        var tracker = new ProgressTracker(progress, futures.Count);
        foreach (TFuture future in futures)
        {
            tracker.Track(future);
        }
    }
}
