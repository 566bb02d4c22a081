namespace ConcurrentFutures;

/// <summary>
/// One submitted unit of work: the user's delegate, its arguments and the future to complete. Executors in this
/// process call <see cref="Run"/>; executors that send work to another process read <see cref="Function"/> and the
/// arguments instead.
/// </summary>
internal abstract class WorkItem
{
    /// <summary>The future this work completes.</summary>
    public abstract Future Future { get; }

    /// <summary>The user's delegate, as given to Submit or Map.</summary>
    public abstract Delegate Function { get; }

    /// <summary>Metrics and span of this item while a listener is attached; null otherwise.</summary>
    public WorkObservation? Observation { get; set; }

    /// <summary>True when the delegate returns a Task that must be awaited for the result.</summary>
    public abstract bool IsAsync { get; }

    /// <summary>
    /// Runs the work on the calling thread unless the future was cancelled; never throws. <paramref name="threadFreed"/>
    /// is called exactly once, as soon as the work no longer needs this thread and before the future completes, so a
    /// pool can count the thread as idle before the caller (woken by the future) submits more work.
    /// </summary>
    public abstract void Run(Action? threadFreed = null);

    /// <summary>Fails the work (e.g. its executor broke) unless it is already done.</summary>
    public void Fail(Exception exception)
    {
        if (Future.State == FutureState.Pending && !Future.SetRunningOrNotifyCancel())
        {
            return;
        }

        Future.TrySetException(exception);
    }
}
