namespace ConcurrentFutures;

/// <summary>
/// Makes a <see cref="ConcurrentFutures.Future"/> and completes it: the producer's side, as
/// <see cref="TaskCompletionSource"/> is for a <see cref="Task"/>. Executors complete the futures they hand out
/// themselves; use this to hand out a future of your own (an adapter over another API, a test double). Hand out
/// <see cref="Future"/> and keep the source: whoever holds the future can wait, cancel and attach callbacks, not complete it.
/// </summary>
/// <remarks>Python: a bare <c>Future()</c> with <c>set_running_or_notify_cancel()</c>, <c>set_result()</c>, <c>set_exception()</c>.</remarks>
public sealed class FutureSource
{
    /// <summary>The pending future this source completes.</summary>
    public Future Future { get; } = new();

    /// <summary>
    /// Moves the pending future to Running, or reports that it was cancelled: call it before starting the work, and skip
    /// the work when it returns false. Optional: a future can be completed straight from Pending.
    /// </summary>
    /// <returns>True if the future is now running; false if it was cancelled.</returns>
    /// <exception cref="InvalidOperationException">The future is already running or finished.</exception>
    public bool SetRunningOrNotifyCancel() => Future.SetRunningOrNotifyCancel();

    /// <summary>Completes the future successfully.</summary>
    /// <exception cref="InvalidOperationException">The future is already cancelled or finished.</exception>
    public void SetResult() => Future.SetResult();

    /// <summary>Completes the future with the work's exception, kept with its stack trace for those who wait.</summary>
    /// <param name="exception">What the work threw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The future is already cancelled or finished.</exception>
    public void SetException(Exception exception) => Future.SetException(exception);

    /// <summary>Completes the future with the work's exception unless it is already done.</summary>
    /// <param name="exception">What the work threw.</param>
    /// <returns>False if the future was already cancelled or finished.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public bool TrySetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Future.TrySetException(exception);
    }
}

/// <summary>
/// Makes a <see cref="Future{T}"/> and completes it with a value or an exception: the producer's side, as
/// <see cref="TaskCompletionSource{TResult}"/> is for a <see cref="Task{TResult}"/>. See <see cref="FutureSource"/>.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class FutureSource<T>
{
    /// <summary>The pending future this source completes.</summary>
    public Future<T> Future { get; } = new();

    /// <inheritdoc cref="FutureSource.SetRunningOrNotifyCancel"/>
    public bool SetRunningOrNotifyCancel() => Future.SetRunningOrNotifyCancel();

    /// <summary>Completes the future with a value.</summary>
    /// <param name="result">The value.</param>
    /// <exception cref="InvalidOperationException">The future is already cancelled or finished.</exception>
    public void SetResult(T result) => Future.SetResult(result);

    /// <summary>Completes the future with a value unless it is already done.</summary>
    /// <param name="result">The value.</param>
    /// <returns>False if the future was already cancelled or finished.</returns>
    public bool TrySetResult(T result) => Future.TrySetResult(result);

    /// <inheritdoc cref="FutureSource.SetException"/>
    public void SetException(Exception exception) => Future.SetException(exception);

    /// <inheritdoc cref="FutureSource.TrySetException"/>
    public bool TrySetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Future.TrySetException(exception);
    }
}
