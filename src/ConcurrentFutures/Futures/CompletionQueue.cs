using System.Collections.Concurrent;

namespace ConcurrentFutures;

/// <summary>
/// A waiter registered on many futures at once: each one that becomes done is queued, and the waiting thread (or
/// async caller) takes them in completion order. Registration is undone by <see cref="Dispose"/>, so futures that
/// outlive the wait do not keep it alive.
/// </summary>
internal sealed class CompletionQueue<TFuture> : IFutureWaiter, IDisposable
    where TFuture : Future
{
    /// <summary>Futures that completed and have not been taken yet.</summary>
    private readonly ConcurrentQueue<TFuture> _completed = new();

    /// <summary>Counts the entries of <see cref="_completed"/>; supports both blocking and async waits with timeouts.</summary>
    private readonly SemaphoreSlim _available = new(0);

    /// <summary>Futures this waiter was added to, to remove it from them at the end.</summary>
    private readonly List<TFuture> _registered = [];

    /// <summary>Adds this waiter to <paramref name="future"/>.</summary>
    /// <returns>False if the future was already done (nothing was registered).</returns>
    public bool TryRegister(TFuture future)
    {
        if (!future.TryAddWaiter(this))
        {
            return false;
        }

        _registered.Add(future);
        return true;
    }

    /// <inheritdoc/>
    public void OnDone(Future future)
    {
        _completed.Enqueue((TFuture)future);
        _available.Release();
    }

    /// <summary>Takes the next completed future, blocking until one completes or the deadline passes.</summary>
    /// <returns>The future, or null when the deadline passed first.</returns>
    public TFuture? Take(Deadline deadline, CancellationToken cancellationToken = default)
    {
        if (!_available.Wait(deadline.RemainingMilliseconds, cancellationToken))
        {
            return null;
        }

        return Dequeue();
    }

    /// <summary>Async twin of <see cref="Take"/>.</summary>
    public async ValueTask<TFuture?> TakeAsync(Deadline deadline, CancellationToken cancellationToken)
    {
        if (!await _available.WaitAsync(deadline.RemainingMilliseconds, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return Dequeue();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (TFuture future in _registered)
        {
            future.RemoveWaiter(this);
        }

        _registered.Clear();

        // _available is deliberately not disposed: a future that completed just before its waiter was removed may
        // still call OnDone from another thread. SemaphoreSlim holds no OS handle unless AvailableWaitHandle is used.
    }

    private TFuture Dequeue()
    {
        // The semaphore's count equals the queue's length, so an entry is always there once the wait succeeded.
        bool taken = _completed.TryDequeue(out TFuture? future);
        System.Diagnostics.Debug.Assert(taken, "semaphore count and queue length must match");
        return future!;
    }
}
