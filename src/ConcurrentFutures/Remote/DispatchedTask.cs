namespace ConcurrentFutures.Remote;

/// <summary>
/// What both remote executors keep of a work item sent to run elsewhere — a worker process (<c>RemoteTask</c>) or a
/// silo (<c>ClusterTask</c>) — while it is queued, in flight, or sent again after its runner was lost. Owned by its
/// dispatcher's lock.
/// </summary>
internal abstract class DispatchedTask(WorkItem item)
{
    public WorkItem Item { get; } = item;

    public Future Future => Item.Future;

    /// <summary>Set once the future was moved to Running (at its first dispatch); a task sent again keeps it.</summary>
    public bool MarkedRunning { get; private set; }

    /// <summary>
    /// Called as the task is dispatched: the first time, moves its future to Running and records the start; false when
    /// the future was cancelled while the task was queued (nothing is to be sent).
    /// </summary>
    public bool TryStart()
    {
        if (!MarkedRunning)
        {
            if (!Future.SetRunningOrNotifyCancel())
            {
                return false;
            }

            MarkedRunning = true;
            Item.Observation?.Started();
        }

        return true;
    }

    /// <summary>The work, as messages name it ("Type.Method"); built when asked, not per call.</summary>
    public abstract string Description { get; }

    /// <summary>Fails the task's future unless it is already done.</summary>
    public void Fail(Exception exception) => Item.Fail(exception);
}
