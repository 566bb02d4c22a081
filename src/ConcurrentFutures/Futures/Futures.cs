using System.Runtime.CompilerServices;

namespace ConcurrentFutures;

/// <summary>
/// Waiting on many futures at once. Python: <c>concurrent.futures.wait</c> and <c>as_completed</c>.
/// </summary>
public static partial class Futures
{
    /// <summary>
    /// Yields each distinct future once, as it becomes done: those already done first (in the order given), then the
    /// others in the order they complete. Python: <c>as_completed(fs, timeout)</c>.
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are yielded once.</param>
    /// <param name="timeout">One budget for the whole iteration, counted from this call; null waits forever.</param>
    /// <returns>The futures in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is null.</exception>
    /// <exception cref="TimeoutException">Thrown while iterating when the timeout passes with futures still unfinished; the message says how many.</exception>
    public static IEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null)
        where TFuture : Future
    {
        List<TFuture> distinct = Distinct(futures);
        Deadline deadline = Deadline.From(timeout);
        return AsCompletedIterator(distinct, deadline, timeout);
    }

    /// <summary>
    /// Async twin of <see cref="AsCompleted{TFuture}(IEnumerable{TFuture}, TimeSpan?)"/>: yields each distinct future once as it becomes done.
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are yielded once.</param>
    /// <param name="timeout">One budget for the whole iteration, counted from this call; null waits forever.</param>
    /// <param name="cancellationToken">Stops the iteration with <see cref="OperationCanceledException"/>; the futures are not cancelled.</param>
    /// <returns>The futures in completion order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is null.</exception>
    /// <exception cref="TimeoutException">Thrown while iterating when the timeout passes with futures still unfinished.</exception>
    public static IAsyncEnumerable<TFuture> AsCompletedAsync<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        List<TFuture> distinct = Distinct(futures);
        Deadline deadline = Deadline.From(timeout);
        return AsCompletedAsyncIterator(distinct, deadline, timeout, cancellationToken);
    }

    /// <summary>
    /// Blocks until the condition in <paramref name="returnWhen"/> holds or the timeout passes, and returns which
    /// futures are done. Never throws on timeout. Python: <c>wait(fs, timeout, return_when)</c>.
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are counted once.</param>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <returns>The done and not-done futures.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or the timeout is negative.</exception>
    public static WaitResult<TFuture> Wait<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
        where TFuture : Future
    {
        var state = new WaitState<TFuture>(Distinct(futures), returnWhen);
        Deadline deadline = Deadline.From(timeout);
        if (state.IsSatisfied())
        {
            return state.ToResult();
        }

        using var queue = new CompletionQueue<TFuture>();
        state.Register(queue);
        while (!state.IsSatisfied() && queue.Take(deadline) is { } future)
        {
            state.MarkDone(future);
        }

        return state.ToResult();
    }

    /// <summary>Async twin of <see cref="Wait{TFuture}"/>; never throws on timeout.</summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are counted once.</param>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="cancellationToken">Stops the wait with <see cref="OperationCanceledException"/>; the futures are not cancelled.</param>
    /// <returns>The done and not-done futures.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="returnWhen"/> is not a defined value, or the timeout is negative.</exception>
    public static async Task<WaitResult<TFuture>> WaitAsync<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted, CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        var state = new WaitState<TFuture>(Distinct(futures), returnWhen);
        Deadline deadline = Deadline.From(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        if (state.IsSatisfied())
        {
            return state.ToResult();
        }

        using var queue = new CompletionQueue<TFuture>();
        state.Register(queue);
        while (!state.IsSatisfied() && await queue.TakeAsync(deadline, cancellationToken).ConfigureAwait(false) is { } future)
        {
            state.MarkDone(future);
        }

        return state.ToResult();
    }

    /// <summary>Materializes the futures once, in order, without duplicates (by reference).</summary>
    internal static List<TFuture> Distinct<TFuture>(IEnumerable<TFuture> futures)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(futures);
        var seen = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        var distinct = new List<TFuture>();
        foreach (TFuture future in futures)
        {
            if (future is null)
            {
                throw new ArgumentNullException(nameof(futures), "The futures must not contain null.");
            }

            if (seen.Add(future))
            {
                distinct.Add(future);
            }
        }

        return distinct;
    }

    private static IEnumerable<TFuture> AsCompletedIterator<TFuture>(List<TFuture> futures, Deadline deadline, TimeSpan? timeout)
        where TFuture : Future
    {
        using var queue = new CompletionQueue<TFuture>();
        List<TFuture> finished = Partition(futures, queue, out int pending);
        foreach (TFuture future in finished)
        {
            yield return future;
        }

        while (pending > 0)
        {
            TFuture future = queue.Take(deadline) ?? throw NewAsCompletedTimeout(pending, futures.Count, timeout);
            pending--;
            yield return future;
        }
    }

    private static async IAsyncEnumerable<TFuture> AsCompletedAsyncIterator<TFuture>(List<TFuture> futures, Deadline deadline, TimeSpan? timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TFuture : Future
    {
        using var queue = new CompletionQueue<TFuture>();
        List<TFuture> finished = Partition(futures, queue, out int pending);
        foreach (TFuture future in finished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return future;
        }

        while (pending > 0)
        {
            TFuture future = await queue.TakeAsync(deadline, cancellationToken).ConfigureAwait(false) ?? throw NewAsCompletedTimeout(pending, futures.Count, timeout);
            pending--;
            yield return future;
        }
    }

    /// <summary>Registers the queue on every unfinished future; returns the already-finished ones, in input order.</summary>
    private static List<TFuture> Partition<TFuture>(List<TFuture> futures, CompletionQueue<TFuture> queue, out int pending)
        where TFuture : Future
    {
        var finished = new List<TFuture>();
        pending = 0;
        foreach (TFuture future in futures)
        {
            if (queue.TryRegister(future))
            {
                pending++;
            }
            else
            {
                finished.Add(future);
            }
        }

        return finished;
    }

    private static TimeoutException NewAsCompletedTimeout(int pending, int total, TimeSpan? timeout) =>
        new($"{pending} (of {total}) futures unfinished after {timeout}.");
}
