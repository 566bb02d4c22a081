using System.Diagnostics;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Remote;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Processes;

/// <summary>
/// What happens when a worker dies or breaks the protocol — the one place that decides which task failed, which run
/// again, and when the pool gives up. Every state change here runs under <see cref="_lock"/>.
/// </summary>
internal sealed partial class PoolManager
{
    /// <summary>
    /// The connection ended (the process exited or is exiting), or the worker broke the protocol. Runs on the
    /// connection's reader thread, which waits here for the process to exit.
    /// </summary>
    public void OnDisconnected(WorkerHandle worker, Exception? protocolError)
    {
        Process? process;
        lock (_lock)
        {
            process = worker.Process;
            if (protocolError is not null)
            {
                string held = worker.InFlight.Count == 0 ? "no work" : string.Join(", ", worker.InFlight.Select(t => t.Function.Describe()).Distinct());
                worker.KilledBecause ??= new BrokenProcessPoolException($"Worker process {worker.Pid} sent a malformed message ({protocolError.Message}) while it held {held}; it was killed and replaced, and what it held failed.", protocolError);
                worker.Signal(NativeMethods.Sigkill);
            }
        }

        int exitCode = -1;
        if (process is not null)
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                lock (_lock)
                {
                    worker.Signal(NativeMethods.Sigkill); // it closed its connection but lingers: make sure it is gone
                }

                process.WaitForExit();
            }

            exitCode = process.ExitCode;
        }

        OnWorkerExited(worker, exitCode);
    }

    /// <summary>
    /// Removes and returns the task a dead worker was running: the one its marker names, else (no marker) the oldest
    /// it held. Null when it was between tasks. What stays in <see cref="WorkerHandle.InFlight"/> keeps its order.
    /// </summary>
    private static RemoteTask? TakeRunningTask(WorkerHandle worker)
    {
        if (worker.Marker is null)
        {
            return worker.InFlight.TryDequeue(out RemoteTask? oldest) ? oldest : null;
        }

        long running = worker.Marker.Read();
        if (running <= 0)
        {
            return null;
        }

        RemoteTask? found = null;
        int count = worker.InFlight.Count;
        for (int i = 0; i < count; i++)
        {
            RemoteTask task = worker.InFlight.Dequeue();
            if (task.Id == running)
            {
                found = task;
            }
            else
            {
                worker.InFlight.Enqueue(task);
            }
        }

        return found;
    }

    /// <summary>
    /// Sends what a dead worker held (and was not running) to other workers — except a task that has now been held by
    /// <see cref="MaxWorkerDeathsPerTask"/> dead workers, which fails: a task that kills its worker before the worker
    /// can say it started (e.g. while its arguments are read) must not kill workers forever.
    /// </summary>
    private void RequeueAfterDeathLocked(WorkerHandle worker, List<(RemoteTask Task, Exception Error)> failed)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "RequeueAfterDeathLocked runs under _lock");
        List<RemoteTask> again = [];
        foreach (RemoteTask task in worker.InFlight)
        {
            if (++task.WorkerDeaths >= MaxWorkerDeathsPerTask)
            {
                failed.Add((task, new BrokenProcessPoolException($"{task.Function.Describe()} was held by {task.WorkerDeaths} worker processes that died (the last pid {worker.Pid}); it is not sent again.")));
            }
            else
            {
                again.Add(task);
            }
        }

        RequeueFirstLocked(again);
    }

    /// <summary>
    /// The one place that decides what a worker's exit means for its work. Called once per worker (later calls are
    /// ignored), from its read loop or, if it never connected, from its process's exit.
    /// </summary>
    public void OnWorkerExited(WorkerHandle worker, int exitCode)
    {
        List<(RemoteTask Task, Exception Error)> failed = [];
        lock (_lock)
        {
            if (worker.State == WorkerState.Dead)
            {
                return;
            }

            bool neverConnected = worker.State == WorkerState.Starting;
            bool expected = worker.State == WorkerState.Retiring && worker.InFlight.Count == 0;
            worker.State = WorkerState.Dead;
            _workers.Remove(worker);
            worker.Process?.Dispose();

            SettleHeldWorkLocked(worker, exitCode, diedStarting: neverConnected && !expected && !_shutdown, failed);
            worker.InFlight.Clear();
            worker.LargeInFlight = 0;
            worker.Marker?.Dispose();
            ForgetPayloadFiles(worker);

            if (neverConnected && !expected && worker.KilledBecause is null && !_shutdown)
            {
                if (++_consecutiveStartFailures >= MaxConsecutiveStartFailures)
                {
                    var broken = new BrokenProcessPoolException($"Worker processes keep exiting before they are ready to take work (the last {WorkerHandle.DescribeExit(exitCode)}, after connecting or during its initializer); the pool is not usable. Check the console for the worker's error output.");
                    BreakLocked(broken, failed);
                }
            }

            if (_broken is null)
            {
                DispatchLocked();
            }

            CheckTerminatedLocked();
        }

        foreach ((RemoteTask task, Exception error) in failed)
        {
            task.Fail(error);
        }
    }

    /// <summary>
    /// Decides what happens to the work a dead worker held: all of it fails if the pool killed the worker on purpose;
    /// else the task it was running fails (or times out), and what it finished or never started runs elsewhere.
    /// </summary>
    private void SettleHeldWorkLocked(WorkerHandle worker, int exitCode, bool diedStarting, List<(RemoteTask Task, Exception Error)> failed)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "SettleHeldWorkLocked runs under _lock");
        if (worker.KilledBecause is { } reason)
        {
            failed.AddRange(worker.InFlight.Select(t => (t, (Exception)reason)));
            ExecutorLog.WorkerEnded(_settings.Logger, worker.Pid, exitCode);
        }
        else if (worker.TimedOutTask is { } overran)
        {
            // The pool killed it to end one task (TaskTimeout, or Abort for a caller that stopped waiting). The kill can
            // land just after that task finished and the next began: only the task it was killed for fails (if its
            // result did not arrive first); the rest — the one running at its death included — runs again elsewhere,
            // not counted as a death.
            List<RemoteTask> again = [];
            foreach (RemoteTask task in worker.InFlight)
            {
                if (task == overran)
                {
                    failed.Add((task, new TimeoutException($"{task.Function.Describe()} did not finish within the pool's TaskTimeout of {_settings.TaskTimeout}; its worker process (pid {worker.Pid}) was killed and replaced.")));
                }
                else
                {
                    again.Add(task);
                }
            }

            ExecutorLog.WorkerEnded(_settings.Logger, worker.Pid, exitCode);
            RequeueFirstLocked(again);
        }
        else if (TakeRunningTask(worker) is { } running)
        {
            failed.Add((running, new BrokenProcessPoolException($"A worker process (pid {worker.Pid}) {WorkerHandle.DescribeExit(exitCode)} while running {running.Function.Describe()}; that work was lost, the worker is being replaced.")));
            if (_settings.Logger.IsEnabled(LogLevel.Warning))
            {
                ExecutorLog.WorkerCrashed(_settings.Logger, worker.Pid, WorkerHandle.DescribeExit(exitCode), running.Function.Describe(), worker.InFlight.Count);
            }

            RequeueAfterDeathLocked(worker, failed); // finished without their results arriving, or never started: run them elsewhere
        }
        else if (worker.InFlight.Count > 0)
        {
            // It died between tasks: none of what it holds was running; it all runs again elsewhere.
            if (_settings.Logger.IsEnabled(LogLevel.Warning))
            {
                ExecutorLog.WorkerCrashed(_settings.Logger, worker.Pid, WorkerHandle.DescribeExit(exitCode), "no task (between tasks)", worker.InFlight.Count);
            }

            RequeueAfterDeathLocked(worker, failed);
        }
        else if (diedStarting)
        {
            if (_settings.Logger.IsEnabled(LogLevel.Warning))
            {
                ExecutorLog.WorkerDiedStarting(_settings.Logger, worker.Pid, WorkerHandle.DescribeExit(exitCode));
            }
        }
        else
        {
            ExecutorLog.WorkerEnded(_settings.Logger, worker.Pid, exitCode);
        }
    }

    /// <summary>The worker's payload files (its result slabs, a result it was writing) are of no use once it is gone.</summary>
    private void ForgetPayloadFiles(WorkerHandle worker)
    {
        worker.ResultMappings?.Dispose();
        if (worker.Pid > 0)
        {
            SharedMemoryTransport.DeleteAll(PayloadSlabs.FilePrefix(SharedMemoryPrefix, worker.Pid));
        }
    }
}
