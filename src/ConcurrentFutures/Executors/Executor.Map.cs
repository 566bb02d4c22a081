namespace ConcurrentFutures;

/// <summary>Map: apply a function to every item of a source concurrently, results in input order.</summary>
public abstract partial class Executor
{
    /// <summary>
    /// Applies <paramref name="fn"/> to every item concurrently and yields the results in input order.
    /// Python: <c>map(fn, iterable, timeout=, chunksize=, buffersize=)</c>.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="bufferSize"/> every item is submitted by this call (as in Python, the work runs even
    /// if the results are never enumerated). With it, that many dispatches are submitted now and one more per result
    /// yielded, so an endless source works. The first failure is thrown when its turn comes and the work not yet
    /// started is cancelled; disposing the enumerator early, or cancelling <paramref name="cancellationToken"/>, does the
    /// same. The results can be enumerated once (a second enumeration throws, saying so): store them, e.g. with
    /// <c>ToList()</c>, to read them again.
    /// </remarks>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function to apply.</param>
    /// <param name="source">The items.</param>
    /// <param name="timeout">One deadline, from this call, for all results; null waits forever.</param>
    /// <param name="chunkSize">Items sent per dispatch; only process and cluster executors batch, others run a chunk on one worker.</param>
    /// <param name="bufferSize">Maximum dispatches submitted but not yet yielded; null submits everything now.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops the enumeration with <see cref="OperationCanceledException"/>; work already running is not stopped.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is below 1, or the timeout is negative.</exception>
    /// <exception cref="TimeoutException">Thrown while enumerating when the deadline passes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (at the call, or while enumerating).</exception>
    public IEnumerable<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        ValidateMapArguments(chunkSize, bufferSize);
        Deadline deadline = Deadline.From(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        return new MapResults<TResult>(Dispatch(fn, source, chunkSize, cancellationToken), chunked: chunkSize > 1, bufferSize, deadline, timeout, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="fn"/> to pairs taken from two sources (stopping at the shorter) and yields the results
    /// in input order. Python: <c>map(fn, iterable1, iterable2)</c>. Otherwise as <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TimeSpan?, int, int?, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="T1">The first item type.</typeparam>
    /// <typeparam name="T2">The second item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function to apply.</param>
    /// <param name="source1">The first arguments.</param>
    /// <param name="source2">The second arguments.</param>
    /// <param name="timeout">One deadline, from this call, for all results; null waits forever.</param>
    /// <param name="chunkSize">Items sent per dispatch.</param>
    /// <param name="bufferSize">Maximum dispatches submitted but not yet yielded; null submits everything now.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops the enumeration with <see cref="OperationCanceledException"/>; work already running is not stopped.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is below 1, or the timeout is negative.</exception>
    /// <exception cref="TimeoutException">Thrown while enumerating when the deadline passes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (at the call, or while enumerating).</exception>
    public IEnumerable<TResult> Map<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> source1, IEnumerable<T2> source2, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source1);
        ArgumentNullException.ThrowIfNull(source2);
        ValidateMapArguments(chunkSize, bufferSize);
        Deadline deadline = Deadline.From(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        return new MapResults<TResult>(Dispatch(fn, source1, source2, chunkSize, cancellationToken), chunked: chunkSize > 1, bufferSize, deadline, timeout, cancellationToken);
    }

    /// <summary>
    /// Async twin of Map: applies <paramref name="fn"/> to every item concurrently and yields results in input order.
    /// Submission happens at this call as for Map; cancelling the token (or disposing the enumerator early)
    /// cancels the work not yet started.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function to apply.</param>
    /// <param name="source">The items.</param>
    /// <param name="timeout">One deadline, from this call, for all results; null waits forever.</param>
    /// <param name="chunkSize">Items sent per dispatch.</param>
    /// <param name="bufferSize">Maximum dispatches submitted but not yet yielded; null submits everything now.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops the enumeration with <see cref="OperationCanceledException"/>; work already running is not stopped.</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is below 1, or the timeout is negative.</exception>
    /// <exception cref="TimeoutException">Thrown while enumerating when the deadline passes.</exception>
    public IAsyncEnumerable<TResult> MapAsync<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        ValidateMapArguments(chunkSize, bufferSize);
        Deadline deadline = Deadline.From(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new MapResults<TResult>(Dispatch(fn, source, chunkSize, cancellationToken), chunked: chunkSize > 1, bufferSize, deadline, timeout, cancellationToken);
        return results.ReadAllAsync(cancellationToken);
    }

    /// <summary>Submits one chunk of <paramref name="items"/> as a single dispatch (for Pool.ImapUnordered).</summary>
    internal Future<TResult[]> SubmitChunk<T, TResult>(Func<T, TResult> fn, T[] items, CancellationToken cancellationToken) =>
        Enqueue(new ChunkCall<T, TResult>(fn, items, static (f, x) => ((Func<T, TResult>)f)(x), static x => [x]), cancellationToken);

    /// <summary>
    /// Starmap's engine: each item a tuple spread over <paramref name="fn"/>'s parameters by <paramref name="invoke"/>
    /// (here) and <paramref name="spread"/> (for executors that send the arguments), sent in chunks, results in order.
    /// </summary>
    internal IEnumerable<TResult> MapSpread<TTuple, TResult>(Delegate fn, IEnumerable<TTuple> source, int chunkSize, Func<Delegate, TTuple, TResult> invoke, Func<TTuple, object?[]> spread) =>
        SpreadResults(fn, source, chunkSize, invoke, spread, CancellationToken.None);

    /// <summary>As <see cref="MapSpread"/>, read without blocking a thread; the token cancels what has not started.</summary>
    internal IAsyncEnumerable<TResult> MapSpreadAsync<TTuple, TResult>(Delegate fn, IEnumerable<TTuple> source, int chunkSize, Func<Delegate, TTuple, TResult> invoke, Func<TTuple, object?[]> spread, CancellationToken cancellationToken) =>
        SpreadResults(fn, source, chunkSize, invoke, spread, cancellationToken).ReadAllAsync(cancellationToken);

    private MapResults<TResult> SpreadResults<TTuple, TResult>(Delegate fn, IEnumerable<TTuple> source, int chunkSize, Func<Delegate, TTuple, TResult> invoke, Func<TTuple, object?[]> spread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        ValidateMapArguments(chunkSize, bufferSize: null);
        cancellationToken.ThrowIfCancellationRequested();
        return new MapResults<TResult>(DispatchChunks(fn, source, chunkSize, invoke, spread, cancellationToken), chunked: true, bufferSize: null, Deadline.Never, timeout: null, cancellationToken);
    }

    private IEnumerable<Future> DispatchChunks<TTuple, TResult>(Delegate fn, IEnumerable<TTuple> source, int chunkSize, Func<Delegate, TTuple, TResult> invoke, Func<TTuple, object?[]> spread, CancellationToken cancellationToken)
    {
        long items = 0;
        foreach (TTuple[] chunk in source.Chunk(chunkSize))
        {
            yield return Enqueue(new ChunkCall<TTuple, TResult>(fn, chunk, invoke, spread, items), cancellationToken);
            items += chunk.Length;
        }
    }

    private static void ValidateMapArguments(int chunkSize, int? bufferSize)
    {
        if (chunkSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1.");
        }

        if (bufferSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "bufferSize must be at least 1, or null to submit every item at once.");
        }
    }

    /// <summary>Submits one dispatch (a single call or a chunk) per step; lazily, so bufferSize can pace it.</summary>
    private IEnumerable<Future> Dispatch<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int chunkSize, CancellationToken cancellationToken, ProgressTracker? tracker = null)
    {
        int items = 0;
        if (chunkSize == 1)
        {
            foreach (T item in source)
            {
                Future<TResult> future = Submit(fn, item, cancellationToken);
                tracker?.Track(future);
                items++;
                yield return future;
            }
        }
        else
        {
            foreach (T[] chunk in source.Chunk(chunkSize))
            {
                Future<TResult[]> future = Enqueue(new ChunkCall<T, TResult>(fn, chunk, static (f, x) => ((Func<T, TResult>)f)(x), static x => [x], items), cancellationToken);
                tracker?.Track(future, chunk.Length);
                items += chunk.Length;
                yield return future;
            }
        }

        tracker?.SetTotal(items);
    }

    private IEnumerable<Future> Dispatch<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<T1> source1, IEnumerable<T2> source2, int chunkSize, CancellationToken cancellationToken)
    {
        if (chunkSize == 1)
        {
            foreach ((T1 first, T2 second) in source1.Zip(source2))
            {
                yield return Submit(fn, first, second, cancellationToken);
            }

            yield break;
        }

        long items = 0;
        foreach ((T1, T2)[] chunk in source1.Zip(source2).Chunk(chunkSize))
        {
            yield return Enqueue(new ChunkCall<(T1, T2), TResult>(fn, chunk, static (f, x) => ((Func<T1, T2, TResult>)f)(x.Item1, x.Item2), static x => [x.Item1, x.Item2], items), cancellationToken);
            items += chunk.Length;
        }
    }
}
