namespace ConcurrentFutures.Multiprocessing;

/// <summary>The pool's async twins: results awaited, and the workers' exit, without blocking a thread.</summary>
public sealed partial class Pool
{
    /// <summary>
    /// Async twin of <see cref="Map"/>: the results in order, awaited without blocking a thread. Python:
    /// <c>map_async(...).get()</c>.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The items.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results in input order.</returns>
    public async Task<List<TResult>> MapAsync<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        T[] items = [.. source];
        return await ToListAsync(_executor.MapAsync(fn, items, chunkSize: chunkSize ?? DefaultChunkSize(items.Length), cancellationToken: cancellationToken), items.Length).ConfigureAwait(false);
    }

    /// <summary>Async twin of <see cref="Imap"/>: <c>await foreach</c> over the results in order as they become available.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The items.</param>
    /// <param name="chunkSize">Items per dispatch.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results in input order.</returns>
    public IAsyncEnumerable<TResult> ImapAsync<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int chunkSize = 1, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        return _executor.MapAsync(fn, source, chunkSize: chunkSize, cancellationToken: cancellationToken);
    }

    /// <summary>Async twin of <see cref="ImapUnordered"/>: <c>await foreach</c> over the results as they complete, in any order.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The items.</param>
    /// <param name="chunkSize">Items per dispatch.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results in completion order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is below 1.</exception>
    public IAsyncEnumerable<TResult> ImapUnorderedAsync<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int chunkSize = 1, CancellationToken cancellationToken = default) =>
        ReadUnorderedAsync(SubmitChunks(fn, source, chunkSize, cancellationToken), cancellationToken); // submitted at the call, as the blocking form

    private static async IAsyncEnumerable<TResult> ReadUnorderedAsync<TResult>(List<Future<TResult[]>> chunks, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (Future<TResult[]> chunk in Futures.AsCompletedAsync(chunks, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (TResult result in await chunk.WaitAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                yield return result;
            }
        }
    }

    /// <summary>Async twin of <see cref="Starmap{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{ValueTuple{T1, T2}}, int?)"/>. Python: <c>starmap_async(...).get()</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The arguments, a tuple per call.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results in input order.</returns>
    public Task<List<TResult>> StarmapAsync<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<(T1, T2)> source, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        (T1, T2)[] items = [.. source];
        return ToListAsync(_executor.MapSpreadAsync(fn, items, chunkSize ?? DefaultChunkSize(items.Length), static (f, x) => ((Func<T1, T2, TResult>)f)(x.Item1, x.Item2), static x => [x.Item1, x.Item2], cancellationToken), items.Length);
    }

    /// <summary>Async twin of <see cref="Starmap{T1, T2, T3, TResult}(Func{T1, T2, T3, TResult}, IEnumerable{ValueTuple{T1, T2, T3}}, int?)"/>. Python: <c>starmap_async(...).get()</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The arguments, a tuple per call.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results in input order.</returns>
    public Task<List<TResult>> StarmapAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, IEnumerable<(T1, T2, T3)> source, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        (T1, T2, T3)[] items = [.. source];
        return ToListAsync(_executor.MapSpreadAsync(fn, items, chunkSize ?? DefaultChunkSize(items.Length), static (f, x) => ((Func<T1, T2, T3, TResult>)f)(x.Item1, x.Item2, x.Item3), static x => [x.Item1, x.Item2, x.Item3], cancellationToken), items.Length);
    }

    /// <summary>Async twin of <see cref="Starmap{T1, T2, T3, T4, TResult}(Func{T1, T2, T3, T4, TResult}, IEnumerable{ValueTuple{T1, T2, T3, T4}}, int?)"/>. Python: <c>starmap_async(...).get()</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The arguments, a tuple per call.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <param name="cancellationToken">Cancels the work not yet started and stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The results in input order.</returns>
    public Task<List<TResult>> StarmapAsync<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> fn, IEnumerable<(T1, T2, T3, T4)> source, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        (T1, T2, T3, T4)[] items = [.. source];
        return ToListAsync(_executor.MapSpreadAsync(fn, items, chunkSize ?? DefaultChunkSize(items.Length), static (f, x) => ((Func<T1, T2, T3, T4, TResult>)f)(x.Item1, x.Item2, x.Item3, x.Item4), static x => [x.Item1, x.Item2, x.Item3, x.Item4], cancellationToken), items.Length);
    }

    /// <summary>Async twin of <see cref="Join"/>: waits for the workers to exit without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/> (the workers go on).</param>
    /// <returns>A task that completes once every worker has exited.</returns>
    /// <exception cref="InvalidOperationException">Neither <see cref="Close"/> nor <see cref="Terminate"/> was called.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotClosed();
        return _executor.ShutdownAsync(cancelFutures: false, cancellationToken);
    }

    private static async Task<List<TResult>> ToListAsync<TResult>(IAsyncEnumerable<TResult> results, int count)
    {
        var list = new List<TResult>(count);
        await foreach (TResult result in results.ConfigureAwait(false))
        {
            list.Add(result);
        }

        return list;
    }
}
