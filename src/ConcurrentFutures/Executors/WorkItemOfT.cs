namespace ConcurrentFutures;

/// <summary>A work item whose future carries a <typeparamref name="TResult"/>.</summary>
internal abstract class WorkItem<TResult> : WorkItem
{
    protected WorkItem(Future<TResult> future) => TypedFuture = future;

    /// <summary>The typed future this work completes.</summary>
    public Future<TResult> TypedFuture { get; }

    /// <inheritdoc/>
    public sealed override Future Future => TypedFuture;

    /// <inheritdoc/>
    public sealed override void Run(Action? threadFreed = null)
    {
        if (!TypedFuture.SetRunningOrNotifyCancel())
        {
            threadFreed?.Invoke();
            return;
        }

        WorkObservation? observation = Observation;
        if (observation is not null)
        {
            RunObserved(observation, threadFreed);
            return;
        }

        RunStarted(threadFreed);
    }

    /// <summary>Calls the delegate; the future is already Running.</summary>
    private void RunStarted(Action? threadFreed)
    {
        if (IsAsync)
        {
            RunAsync(threadFreed);
            return;
        }

        TResult result;
        try
        {
            result = Invoke();
        }
#pragma warning disable CA1031 // Whatever the work throws belongs to its future.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            threadFreed?.Invoke();
            TypedFuture.SetException(exception);
            return;
        }

        threadFreed?.Invoke();
        TypedFuture.SetResult(result);
    }

    /// <summary>Runs inside the item's span, so the work's own spans and logs belong to it.</summary>
    private void RunObserved(WorkObservation observation, Action? threadFreed)
    {
        observation.Started();
        System.Diagnostics.Activity? previous = System.Diagnostics.Activity.Current;
        if (observation.Activity is not null)
        {
            System.Diagnostics.Activity.Current = observation.Activity;
        }

        try
        {
            RunStarted(threadFreed);
        }
        finally
        {
            System.Diagnostics.Activity.Current = previous;
        }
    }

    /// <summary>Calls the delegate synchronously.</summary>
    protected abstract TResult Invoke();

    /// <summary>Calls an async delegate; only used when <see cref="WorkItem.IsAsync"/>.</summary>
    protected abstract Task<TResult> InvokeAsync();

    private void RunAsync(Action? threadFreed)
    {
        Task<TResult> task;
        try
        {
            task = InvokeAsync();
        }
#pragma warning disable CA1031 // Whatever the work throws belongs to its future.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            threadFreed?.Invoke();
            TypedFuture.SetException(exception);
            return;
        }

        threadFreed?.Invoke();

        // The worker thread is freed at the first await; the future completes when the task does.
        if (task.IsCompleted)
        {
            CompleteFrom(task);
        }
        else
        {
            task.ContinueWith(static (t, state) => ((WorkItem<TResult>)state!).CompleteFrom(t), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void CompleteFrom(Task<TResult> task)
    {
        TResult result;
        try
        {
            result = task.GetAwaiter().GetResult(); // the task's own exception, not an AggregateException
        }
#pragma warning disable CA1031 // Whatever the work throws belongs to its future.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            TypedFuture.SetException(exception);
            return;
        }

        TypedFuture.SetResult(result);
    }
}
