using System.Diagnostics;
using ConcurrentFutures.Platform;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Processes;

/// <summary>Scheduling decisions of the pool: the *Locked methods run under <see cref="_lock"/> (and assert it); <see cref="CheckTimers"/> and <see cref="KillAllNow"/> take it themselves.</summary>
internal sealed partial class PoolManager
{
    /// <summary>
    /// Sends pending tasks to ready workers, least loaded first, and starts workers when work is waiting. A worker
    /// is given several tasks at once (pipelining) only when tasks are short, never behind one with large
    /// arguments (see <see cref="HoldsLargeWork"/>), and never tasks that a worker still starting would take.
    /// </summary>
    private void DispatchLocked()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "DispatchLocked runs under _lock");
        int starting = 0;
        foreach (WorkerHandle worker in _workers)
        {
            starting += worker.State == WorkerState.Starting ? 1 : 0;
        }

        int depth = PipelineDepth();
        while (_pending.Count > 0)
        {
            WorkerHandle? target = null;
            bool large = _pending.Peek().LargeArguments;
            foreach (WorkerHandle worker in _workers)
            {
                if (worker.State == WorkerState.Ready && Capacity(worker, depth) > 0 && (target is null || worker.InFlight.Count < target.InFlight.Count)
                    && (large || worker.InFlight.Count == 0 || !HoldsLargeWork(worker)))
                {
                    target = worker;
                }
            }

            if (target is null || (target.InFlight.Count > 0 && _pending.Count <= starting))
            {
                break;
            }

            RemoteTask task = _pending.Dequeue();
            if (!task.TryStart())
            {
                continue; // cancelled while queued
            }

            AssignLocked(task, target);
        }

        int wanted = Math.Min(_pending.Count - starting, _settings.MaxWorkers - _workers.Count);
        for (int i = 0; i < wanted && !_shutdown; i++)
        {
            SpawnLocked();
        }
    }

    private void AssignLocked(RemoteTask task, WorkerHandle worker)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "AssignLocked runs under _lock");
        if (worker.InFlight.Count == 0)
        {
            task.StartedAt = Stopwatch.GetTimestamp();
        }

        worker.InFlight.Enqueue(task);
        worker.LargeInFlight += task.LargeArguments ? 1 : 0;
        worker.TasksAssigned++;
        if (worker.KnownFunctions.Add(task.Function.Id))
        {
            worker.SendDefine(task.Function);
        }

        worker.SendRun(task);
        if (_settings.MaxTasksPerChild is { } quota && worker.TasksAssigned >= quota)
        {
            worker.State = WorkerState.Retiring;
            ExecutorLog.WorkerRecycled(_settings.Logger, worker.Pid, "MaxTasksPerChild", quota);
        }
    }

    /// <summary>
    /// Whether a worker holds a task with large arguments (<see cref="SharedMemoryTransport.Threshold"/> or more, read
    /// from shared memory, and likely a large result to write): while pipelining, no task with small arguments is
    /// queued behind it (one with large arguments may be, as before: a stream of them keeps its workers fed).
    /// Short tasks pipelined to a worker that then reads a large value (and works on it) waited for all of it, while
    /// another worker sat idle; they wait in the pool's queue for the first worker free to take them instead. A task
    /// whose result alone is large is not known in advance.
    /// </summary>
    private static bool HoldsLargeWork(WorkerHandle worker) => worker.LargeInFlight > 0;

    private int Capacity(WorkerHandle worker, int depth)
    {
        int room = depth - worker.InFlight.Count;
        return _settings.MaxTasksPerChild is { } quota ? Math.Min(room, quota - worker.TasksAssigned) : room;
    }

    /// <summary>How many tasks a worker may hold: many when tasks take microseconds (to hide the round trip), one when they take long (to balance).</summary>
    private int PipelineDepth() => _averageTaskMicros switch
    {
        double.NaN => 1,
        < 100 => 64,
        < 2_000 => 8,
        < 20_000 => 2,
        _ => 1,
    };

    private void SpawnLocked()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "SpawnLocked runs under _lock");
        var worker = new WorkerHandle(this, _nextSlot++);
        try
        {
            worker.Marker = TaskMarker.Create(TaskMarker.PathFor(_connections.SharedMemoryPrefix, worker.Slot));
        }
        catch (IOException)
        {
            // Without it a crash is blamed on the oldest unanswered task, as before; the worker still runs.
        }

        _workers.Add(worker);
        _connections.Launch(worker);
    }

    private void BecomeReadyLocked(WorkerHandle worker)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "BecomeReadyLocked runs under _lock");
        _consecutiveStartFailures = 0;
        worker.State = WorkerState.Ready;
        ExecutorLog.WorkerStarted(_settings.Logger, worker.Pid, worker.Slot);
        worker.IdleSince = Stopwatch.GetTimestamp();
        DispatchLocked();
        if (_shutdown)
        {
            RetireIdleWorkersLocked();
        }
    }

    /// <summary>A retiring worker that holds nothing is told to stop; it exits and is removed when its connection ends.</summary>
    private static void StopIfRetiredLocked(WorkerHandle worker)
    {
        if (worker.State == WorkerState.Retiring && worker.InFlight.Count == 0 && worker.KilledBecause is null && !worker.StopSent)
        {
            worker.StopSent = true;
            worker.SendStop();
        }
    }

    /// <summary>After shutdown, workers with nothing left to do stop; a worker still starting stops as soon as it connects.</summary>
    private void RetireIdleWorkersLocked()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "RetireIdleWorkersLocked runs under _lock");
        if (_pending.Count > 0)
        {
            return;
        }

        foreach (WorkerHandle worker in _workers)
        {
            if (worker.State == WorkerState.Ready)
            {
                worker.State = WorkerState.Retiring;
            }

            if (worker.State == WorkerState.Retiring)
            {
                StopIfRetiredLocked(worker);
            }
        }
    }

    /// <summary>Puts tasks that were sent but never started back at the front of the queue, in their order.</summary>
    private void RequeueFirstLocked(IEnumerable<RemoteTask> tasks)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "RequeueFirstLocked runs under _lock");
        var requeued = new Queue<RemoteTask>(tasks);
        if (requeued.Count == 0)
        {
            return;
        }

        foreach (RemoteTask task in _pending)
        {
            requeued.Enqueue(task);
        }

        _pending = requeued;
    }

    private void BreakLocked(BrokenProcessPoolException exception, List<(RemoteTask Task, Exception Error)> failed)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "BreakLocked runs under _lock");
        if (_broken is null)
        {
            ExecutorLog.ProcessPoolBroken(_settings.Logger, exception.InnerException, exception.Message);
        }

        _broken ??= exception;
        _shutdown = true;
        failed.AddRange(_pending.Select(t => (t, (Exception)exception)));
        _pending.Clear();
        foreach (WorkerHandle worker in _workers)
        {
            worker.KilledBecause ??= exception;
            worker.State = WorkerState.Retiring;
            worker.Signal(NativeMethods.Sigkill);
        }
    }

    private void CheckTerminatedLocked()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "CheckTerminatedLocked runs under _lock");
        if (_shutdown && _pending.Count == 0 && _workers.Count == 0 && !_terminated.Task.IsCompleted)
        {
            _connections.Dispose(); // before anyone waiting for termination resumes: no file of the pool is left then
            PoolRegistry.Remove(this);
            _terminated.TrySetResult();
        }
    }

    /// <summary>Periodic check (only when TaskTimeout or IdleWorkerTimeout is set): kills overrunning workers, retires idle ones.</summary>
    internal void CheckTimers()
    {
        lock (_lock)
        {
            foreach (WorkerHandle worker in _workers)
            {
                if (_settings.TaskTimeout is { } limit && worker.TimedOutTask is null && RunningTooLong(worker, limit) is { } running)
                {
                    worker.TimedOutTask = running;
                    worker.State = WorkerState.Retiring;
                    if (_settings.Logger.IsEnabled(LogLevel.Warning))
                    {
                        ExecutorLog.TaskTimedOut(_settings.Logger, running.Function.Describe(), _settings.TaskTimeout, worker.Pid);
                    }

                    worker.Signal(NativeMethods.Sigkill);
                }
                else if (_settings.IdleWorkerTimeout is { } idle && worker.State == WorkerState.Ready && worker.InFlight.Count == 0
                    && Stopwatch.GetElapsedTime(worker.IdleSince) > idle)
                {
                    worker.State = WorkerState.Retiring;
                    ExecutorLog.WorkerRecycled(_settings.Logger, worker.Pid, "IdleWorkerTimeout in seconds", idle.TotalSeconds);

                    StopIfRetiredLocked(worker);
                }
            }
        }
    }

    /// <summary>
    /// The task a worker has been running for longer than <paramref name="limit"/>, if any: the one its marker names,
    /// timed from when the marker changed (results travel in batches, so the oldest unanswered task may have finished
    /// long ago); without a marker, the oldest unanswered task.
    /// </summary>
    private static RemoteTask? RunningTooLong(WorkerHandle worker, TimeSpan limit)
    {
        if (worker.Marker is not { } marker)
        {
            return worker.InFlight.TryPeek(out RemoteTask? oldest) && oldest.RunningFor > limit ? oldest : null;
        }

        long value = marker.Read();
        long now = Stopwatch.GetTimestamp();
        if (value != worker.LastMarker.Value)
        {
            worker.LastMarker = (value, now);
            return null;
        }

        if (value <= 0 || Stopwatch.GetElapsedTime(worker.LastMarker.Since, now) <= limit)
        {
            return null;
        }

        foreach (RemoteTask task in worker.InFlight)
        {
            if (task.Id == value)
            {
                return task;
            }
        }

        return null;
    }

    /// <summary>Kills every worker without waiting; used when this process exits.</summary>
    internal void KillAllNow()
    {
        lock (_lock)
        {
            foreach (WorkerHandle worker in _workers)
            {
                worker.Signal(NativeMethods.Sigkill);
            }
        }

        _connections.DeleteFiles();
    }
}
