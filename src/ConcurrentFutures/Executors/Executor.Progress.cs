namespace ConcurrentFutures;

/// <summary>Map with progress reporting: the done, failed and total counts without hand-written counters.</summary>
public abstract partial class Executor
{
    /// <summary>
    /// As <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TimeSpan?, int, int?, CancellationToken)"/>, and reports a
    /// <see cref="FutureProgress"/> to <paramref name="progress"/> each time an item (or a chunk of items) finishes,
    /// whether or not its result has been enumerated yet.
    /// </summary>
    /// <remarks>
    /// Reports come from the threads that complete the work, one at a time and each newer than the last. The total is
    /// known from the start for collections and arrays, otherwise once the source has been read to its end.
    /// <see cref="Progress{T}"/> posts each report to the synchronization context captured when it was created.
    /// </remarks>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function to apply.</param>
    /// <param name="source">The items.</param>
    /// <param name="progress">Receives the progress.</param>
    /// <param name="timeout">One deadline, from this call, for all results; null waits forever.</param>
    /// <param name="chunkSize">Items sent per dispatch.</param>
    /// <param name="bufferSize">Maximum dispatches submitted but not yet yielded; null submits everything now.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/>, <paramref name="source"/> or <paramref name="progress"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is below 1, or the timeout is negative.</exception>
    /// <exception cref="TimeoutException">Thrown while enumerating when the deadline passes.</exception>
    public IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, IProgress<FutureProgress> progress, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(progress);
        ValidateMapArguments(chunkSize, bufferSize);
        Deadline deadline = Deadline.From(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        var tracker = new ProgressTracker(progress, source.TryGetNonEnumeratedCount(out int count) ? count : null);
        return new MapResults<TResult>(Dispatch(fn, source, chunkSize, cancellationToken, tracker), chunked: chunkSize > 1, bufferSize, deadline, timeout, cancellationToken);
    }

    /// <summary>
    /// As <see cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, TimeSpan?, int, int?, CancellationToken)"/>, and reports
    /// a <see cref="FutureProgress"/> to <paramref name="progress"/> each time an item (or a chunk of items) finishes.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function to apply.</param>
    /// <param name="source">The items.</param>
    /// <param name="progress">Receives the progress.</param>
    /// <param name="timeout">One deadline, from this call, for all results; null waits forever.</param>
    /// <param name="chunkSize">Items sent per dispatch.</param>
    /// <param name="bufferSize">Maximum dispatches submitted but not yet yielded; null submits everything now.</param>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/>, <paramref name="source"/> or <paramref name="progress"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is below 1, or the timeout is negative.</exception>
    /// <exception cref="TimeoutException">Thrown while enumerating when the deadline passes.</exception>
    public IAsyncEnumerable<TResult> MapAsync<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, IProgress<FutureProgress> progress, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(progress);
        ValidateMapArguments(chunkSize, bufferSize);
        Deadline deadline = Deadline.From(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        var tracker = new ProgressTracker(progress, source.TryGetNonEnumeratedCount(out int count) ? count : null);
        var results = new MapResults<TResult>(Dispatch(fn, source, chunkSize, cancellationToken, tracker), chunked: chunkSize > 1, bufferSize, deadline, timeout, cancellationToken);
        return results.ReadAllAsync(cancellationToken);
    }
}
