namespace ConcurrentFutures;

/// <summary>The life cycle of a <see cref="Future"/>: Pending → Running → Finished, or Pending → Cancelled.</summary>
/// <remarks>Python: the states behind <c>Future.running()</c>, <c>cancelled()</c> and <c>done()</c>.</remarks>
public enum FutureState
{
    /// <summary>Created, not started; can still be cancelled.</summary>
    Pending,

    /// <summary>An executor is running the work; it can no longer be cancelled.</summary>
    Running,

    /// <summary>Cancelled before it started; <see cref="Future.Wait"/> throws <see cref="OperationCanceledException"/>.</summary>
    Cancelled,

    /// <summary>Completed with a result or an exception.</summary>
    Finished,
}
