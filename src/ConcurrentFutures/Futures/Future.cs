using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace ConcurrentFutures;

/// <summary>
/// The eventual outcome of a unit of work with no result: pending, running, cancelled or finished (with success or an
/// exception). Executors create and complete futures; callers wait on them, await them or attach callbacks. To make and
/// complete one yourself (tests, adapters), use <see cref="FutureSource"/>, as <c>TaskCompletionSource</c> for a task.
/// </summary>
/// <remarks>
/// Python: <c>concurrent.futures.Future</c>. All members are thread-safe. Done callbacks, waiters and the
/// <see cref="Task"/> returned by <see cref="AsTask"/> are completed outside the future's lock, so a callback may
/// itself wait on or complete other futures.
/// </remarks>
public partial class Future
{
    /// <summary>Guards every field below; also the monitor that blocked <see cref="Wait"/> callers sleep on.</summary>
    private readonly object _gate = new();

    /// <summary>The current state; written under <see cref="_gate"/>, read without it for the fast "is it done?" checks.</summary>
    private volatile FutureState _state;

    /// <summary>The work's exception with its original stack trace, or null on success / while not finished.</summary>
    private ExceptionDispatchInfo? _exception;

    /// <summary>Pending done callbacks and waiters, in the order added: null, one entry, or a <see cref="List{T}"/>.</summary>
    private object? _callbacks;

    /// <summary>The TaskCompletionSource behind <see cref="AsTask"/>, created on first use.</summary>
    private object? _taskSource;

    /// <summary>How many threads sleep in <see cref="Monitor.Wait(object)"/>; completion pulses only when some do.</summary>
    private int _blockedWaiters;

    /// <summary>Creates a pending future: executors do; others use <see cref="FutureSource"/>.</summary>
    internal Future()
    {
    }

    /// <summary>The current state.</summary>
    public FutureState State => _state;

    /// <summary>True if the future was cancelled. Python: <c>cancelled()</c>.</summary>
    public bool IsCancelled => _state == FutureState.Cancelled;

    /// <summary>True while the work runs. Python: <c>running()</c>.</summary>
    public bool IsRunning => _state == FutureState.Running;

    /// <summary>True once cancelled or finished. Python: <c>done()</c>.</summary>
    public bool IsDone => _state is FutureState.Cancelled or FutureState.Finished;

    /// <summary>
    /// Cancels the future if it has not started. Python: <c>cancel()</c>.
    /// </summary>
    /// <returns>True if the future is now cancelled (also if it already was); false if it is running or finished.</returns>
    public bool Cancel()
    {
        object? callbacks;
        lock (_gate)
        {
            switch (_state)
            {
                case FutureState.Cancelled:
                    return true;
                case FutureState.Running or FutureState.Finished:
                    return false;
            }

            _state = FutureState.Cancelled;
            callbacks = TakeCallbacksLocked();
        }

        RunCompletion(callbacks);
        return true;
    }

    /// <summary>
    /// Blocks until the future is done, then rethrows the work's own exception (with its original stack trace) if
    /// it failed. Python: <c>result()</c> of a future without a value.
    /// </summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <exception cref="TimeoutException">The future is not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    public void Wait(TimeSpan? timeout = null)
    {
        WaitDone(timeout);
        ThrowIfFailedOrCancelled();
    }

    /// <summary>
    /// Async twin of <see cref="Wait"/>: completes when the future is done, with the work's own exception if it failed,
    /// without blocking a thread. <c>await future</c> is the same without a timeout or token.
    /// </summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>; the work is not cancelled.</param>
    /// <returns>A task that completes as the future does.</returns>
    /// <exception cref="TimeoutException">The future is not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled, or the token was.</exception>
    public Task WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        AsTask().WaitAsync(Deadline.From(timeout).Remaining, cancellationToken);

    /// <summary>
    /// Blocks until the future is done and returns the work's exception, or null if it succeeded.
    /// Python: <c>exception()</c>.
    /// </summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <exception cref="TimeoutException">The future is not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    public Exception? GetException(TimeSpan? timeout = null)
    {
        WaitDone(timeout);
        if (_state == FutureState.Cancelled)
        {
            throw NewCancelledException();
        }

        return _exception?.SourceException;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> with this future when it is done (cancelled or finished): at once, on this
    /// thread, if it already is; otherwise on the thread that completes it. Callbacks run once each, in the order
    /// added. One that throws is reported through <see cref="Trace"/> and never stops the others.
    /// Python: <c>add_done_callback()</c>.
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public void AddDoneCallback(Action<Future> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (!TryAddCallback(callback))
        {
            InvokeCallback(callback);
        }
    }

    /// <summary>A task that completes with this future: success, the work's exception, or cancelled.</summary>
    /// <returns>The same task on every call.</returns>
    public Task AsTask() => GetOrCreateTask();

    /// <summary>Lets callers write <c>await future</c>; throws the work's exception, not an AggregateException.</summary>
    /// <returns>An awaiter over <see cref="AsTask"/>.</returns>
    public TaskAwaiter GetAwaiter() => AsTask().GetAwaiter();

    /// <summary>
    /// Moves a pending future to Running, or reports that it was cancelled. For executors: call it before running the
    /// work, and skip the work when it returns false. Python: <c>set_running_or_notify_cancel()</c>.
    /// </summary>
    /// <returns>True if the future is now running; false if it was cancelled.</returns>
    /// <exception cref="InvalidOperationException">The future is already running or finished.</exception>
    internal bool SetRunningOrNotifyCancel()
    {
        lock (_gate)
        {
            switch (_state)
            {
                case FutureState.Pending:
                    _state = FutureState.Running;
                    return true;
                case FutureState.Cancelled:
                    return false;
                default:
                    throw new InvalidOperationException($"The future is already {_state.ToString().ToUpperInvariant()}; SetRunningOrNotifyCancel must be called once, before the work runs.");
            }
        }
    }

    /// <summary>Completes the future successfully. For executors and tests. Python: <c>set_result(None)</c>.</summary>
    /// <exception cref="InvalidOperationException">The future is already cancelled or finished.</exception>
    internal void SetResult() => Complete(exception: null);

    /// <summary>Completes the future with the work's exception. For executors and tests. Python: <c>set_exception()</c>.</summary>
    /// <param name="exception">What the work threw; its stack trace is kept and rethrown by <see cref="Wait"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The future is already cancelled or finished.</exception>
    internal void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Complete(ExceptionDispatchInfo.Capture(exception));
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        FutureState state = _state;
        string detail = state == FutureState.Finished && _exception is { } e ? $" raised {e.SourceException.GetType().Name}" : string.Empty;
        return $"<{GetType().Name} state={state.ToString().ToUpperInvariant()}{detail}>";
    }

    /// <summary>Adds a waiter unless the future is already done.</summary>
    /// <returns>False if the future is already done (the waiter was not added and will not be called).</returns>
    internal bool TryAddWaiter(IFutureWaiter waiter) => TryAddCallback(waiter);

    /// <summary>Removes a waiter added with <see cref="TryAddWaiter"/>, if it is still registered.</summary>
    internal void RemoveWaiter(IFutureWaiter waiter)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_callbacks, waiter))
            {
                _callbacks = null;
            }
            else if (_callbacks is List<object> list)
            {
                list.Remove(waiter);
            }
        }
    }

    /// <summary>True when the future finished with an exception (not cancelled).</summary>
    internal bool HasException => _state == FutureState.Finished && Volatile.Read(ref _exception) is not null;

    /// <summary>The work's exception once finished, else null; never blocks.</summary>
    private protected Exception? GetExceptionIfDone() => _state == FutureState.Finished ? _exception?.SourceException : null;

    /// <summary>Completes the future with an exception unless it is already done; for executors failing work they lost.</summary>
    /// <returns>False if the future was already done.</returns>
    internal bool TrySetException(Exception exception) =>
        TryComplete<object?>(ExceptionDispatchInfo.Capture(exception), storeResult: null, state: null, throwIfDone: false);

    /// <summary>Blocks until done or the deadline passes, without throwing.</summary>
    /// <returns>True if the future is done.</returns>
    internal bool TryWait(Deadline deadline) => IsDone || WaitDone(deadline);

    /// <summary>Completes the future; <paramref name="storeResult"/> runs under the lock, only if completion is allowed.</summary>
    private protected void Complete<TState>(ExceptionDispatchInfo? exception, Action<Future, TState>? storeResult, TState state) =>
        TryComplete(exception, storeResult, state, throwIfDone: true);

    private protected bool TryComplete<TState>(ExceptionDispatchInfo? exception, Action<Future, TState>? storeResult, TState state, bool throwIfDone)
    {
        object? callbacks;
        lock (_gate)
        {
            if (_state is FutureState.Cancelled or FutureState.Finished)
            {
                return throwIfDone
                    ? throw new InvalidOperationException($"The future is already {_state.ToString().ToUpperInvariant()}; a future is completed only once.")
                    : false;
            }

            storeResult?.Invoke(this, state);
            _exception = exception;
            _state = FutureState.Finished;
            callbacks = TakeCallbacksLocked();
        }

        RunCompletion(callbacks);
        return true;
    }

    /// <summary>Creates the TaskCompletionSource behind <see cref="AsTask"/>; derived futures make a typed one.</summary>
    private protected virtual object CreateTaskSource() => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the task of a source made by <see cref="CreateTaskSource"/>.</summary>
    private protected virtual Task GetTask(object taskSource) => ((TaskCompletionSource)taskSource).Task;

    /// <summary>Completes a source made by <see cref="CreateTaskSource"/> with this (done) future's outcome.</summary>
    private protected virtual void CompleteTaskSource(object taskSource)
    {
        var source = (TaskCompletionSource)taskSource;
        if (_state == FutureState.Cancelled)
        {
            source.TrySetCanceled();
        }
        else if (_exception is { } exception)
        {
            source.TrySetException(exception.SourceException);
        }
        else
        {
            source.TrySetResult();
        }
    }

    /// <summary>Waits for done, then throws the work's exception or <see cref="OperationCanceledException"/>.</summary>
    private protected void ThrowIfFailedOrCancelled()
    {
        if (_state == FutureState.Cancelled)
        {
            throw NewCancelledException();
        }

        _exception?.Throw();
    }

    /// <summary>Blocks until done or the timeout passes.</summary>
    /// <exception cref="TimeoutException">Not done in time.</exception>
    private protected void WaitDone(TimeSpan? timeout)
    {
        if (IsDone)
        {
            return;
        }

        Deadline deadline = Deadline.From(timeout);
        if (!WaitDone(deadline))
        {
            throw new TimeoutException($"The future did not finish within {timeout}.");
        }
    }

    /// <summary>Blocks until done or the deadline passes; spins briefly first, as completions are often imminent.</summary>
    /// <returns>True if done.</returns>
    private protected bool WaitDone(Deadline deadline)
    {
        SpinWait spinner = default;
        while (!spinner.NextSpinWillYield)
        {
            if (IsDone)
            {
                return true;
            }

            spinner.SpinOnce();
        }

        lock (_gate)
        {
            _blockedWaiters++;
            try
            {
                while (!IsDone)
                {
                    int milliseconds = deadline.RemainingMilliseconds;
                    if (milliseconds == 0 || !Monitor.Wait(_gate, milliseconds))
                    {
                        if (deadline.HasExpired)
                        {
                            return IsDone;
                        }
                    }
                }

                return true;
            }
            finally
            {
                _blockedWaiters--;
            }
        }
    }

    private static OperationCanceledException NewCancelledException() => new("The future was cancelled before it ran.");

    private Task GetOrCreateTask()
    {
        object? source = Volatile.Read(ref _taskSource);
        if (source is null)
        {
            bool done;
            lock (_gate)
            {
                source = _taskSource ??= CreateTaskSource();
                done = IsDone;
            }

            // Completion reads _taskSource after setting the state under the lock; whichever of us sees the other
            // completes the source, and TrySet* makes a second completion harmless.
            if (done)
            {
                CompleteTaskSource(source);
            }
        }

        return GetTask(source);
    }

    private void Complete(ExceptionDispatchInfo? exception) => Complete<object?>(exception, storeResult: null, state: null);
}
