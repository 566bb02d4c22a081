using ConcurrentFutures.Platform;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Processes;

/// <summary>Giving up one task: what a silo does when the client stopped waiting for a call (its TaskTimeout).</summary>
internal sealed partial class PoolManager
{
    /// <summary>
    /// Ends the task of <paramref name="future"/> wherever it is: still queued, it is cancelled; running in a worker, that
    /// worker is killed (nothing else can stop the code) and replaced, the task fails with <see cref="TimeoutException"/>,
    /// and the worker's other tasks run elsewhere. A task sent to a worker but not started yet is left to finish.
    /// </summary>
    public void Abort(Future future)
    {
        RemoteTask? cancelled = null;
        lock (_lock)
        {
            if (_pending.FirstOrDefault(t => t.Future == future) is { } queued)
            {
                _pending = new Queue<RemoteTask>(_pending.Where(t => t != queued));
                cancelled = queued;
            }
            else
            {
                foreach (WorkerHandle worker in _workers)
                {
                    if (worker.TimedOutTask is null && worker.InFlight.FirstOrDefault(t => t.Future == future) is { } running && IsRunning(worker, running))
                    {
                        worker.TimedOutTask = running;
                        worker.State = WorkerState.Retiring;
                        if (_settings.Logger.IsEnabled(LogLevel.Warning))
                        {
                            ExecutorLog.TaskTimedOut(_settings.Logger, running.Function.Describe(), _settings.TaskTimeout, worker.Pid);
                        }

                        worker.Signal(NativeMethods.Sigkill);
                        break;
                    }
                }
            }

            CheckTerminatedLocked();
        }

        cancelled?.Future.Cancel();
    }

    /// <summary>True when <paramref name="task"/> is the one its worker runs now (by the worker's marker when it has one).</summary>
    private static bool IsRunning(WorkerHandle worker, RemoteTask task) =>
        worker.Marker is { } marker ? marker.Read() == task.Id : worker.InFlight.Peek() == task && task.StartedAt != 0;
}
