using System.Buffers;
using System.Diagnostics;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Remote;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Owns all state of one process pool under one lock: the queue of tasks not yet sent, the workers, what each
/// holds. Decides where work goes, when workers start, retire and are replaced, and — in
/// <see cref="OnWorkerExited"/> only — what happens to the work of a worker that died: the task it was running fails
/// with <see cref="BrokenProcessPoolException"/> (or <see cref="TimeoutException"/>), the tasks queued behind it
/// (never started) go back to the front of the queue, and the pool keeps serving.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Its connections are disposed when the pool terminates (CheckTerminatedLocked), not by a caller.")]
internal sealed partial class PoolManager
{
    /// <summary>Consecutive workers dying before they connect after which the pool gives up (no retry loop).</summary>
    private const int MaxConsecutiveStartFailures = 3;

    /// <summary>A task held by this many workers that died (not while running it) fails instead of being re-sent.</summary>
    private const int MaxWorkerDeathsPerTask = 3;

    private readonly object _lock = new();
    private readonly PoolSettings _settings;
    private readonly WorkerConnections _connections;

    /// <summary>Tasks not yet sent to a worker, in submission order (requeued tasks go back to the front).</summary>
    private Queue<RemoteTask> _pending = new();

    /// <summary>Workers not yet dead.</summary>
    private readonly List<WorkerHandle> _workers = [];

    /// <summary>Completed when, after shutdown, no task is left and every worker has exited.</summary>
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _nextSlot;
    private int _consecutiveStartFailures;
    private bool _shutdown;
    private BrokenProcessPoolException? _broken;

    /// <summary>Moving average of task run times reported by workers (µs); decides how many tasks to pipeline per worker.</summary>
    private double _averageTaskMicros = double.NaN;

    public PoolManager(PoolSettings settings)
    {
        _settings = settings;
        _connections = new WorkerConnections(this, settings);
        PoolRegistry.Add(this);
    }

    public int MaxWorkers => _settings.MaxWorkers;

    public IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (_lock)
            {
                return _workers.Where(w => w.Pid > 0).Select(w => w.Pid).ToArray();
            }
        }
    }

    public Task Terminated => _terminated.Task;

    /// <summary>Workers not yet dead (starting, ready or retiring), for the live-workers gauge.</summary>
    public int LiveWorkerCount
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>Tasks not yet sent to a worker, for the queue-depth gauge.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Name prefix of this pool's shared-memory payload files (random, so not guessable).</summary>
    public string SharedMemoryPrefix => _connections.SharedMemoryPrefix;

    /// <summary>Whether this thread holds the pool's lock (for the assertions of what it owns).</summary>
    public bool IsLockHeld => Monitor.IsEntered(_lock);

    /// <summary>Where large arguments go (see <see cref="PayloadSlabs"/>).</summary>
    public PayloadSlabs ArgumentSlabs => _connections.ArgumentSlabs;

    /// <summary>Queues a task and sends it at once if a worker has room.</summary>
    public void Submit(RemoteTask task)
    {
        lock (_lock)
        {
            if (_broken is not null)
            {
                throw new BrokenProcessPoolException(_broken.Message, _broken.InnerException);
            }

            if (_shutdown)
            {
                throw new ObjectDisposedException(nameof(ProcessPoolExecutor), "Cannot submit work after Shutdown: the executor no longer accepts work.");
            }

            _pending.Enqueue(task);
            DispatchLocked();
        }
    }

    public void Shutdown(bool wait, bool cancelFutures)
    {
        List<RemoteTask> cancelled = [];
        lock (_lock)
        {
            if (cancelFutures)
            {
                cancelled.AddRange(_pending); // every call with cancelFutures, as Python
                _pending.Clear();
            }

            _shutdown = true;
            RetireIdleWorkersLocked();
            CheckTerminatedLocked();
        }

        foreach (RemoteTask task in cancelled)
        {
            task.Future.Cancel();
        }

        if (wait)
        {
            _terminated.Task.GetAwaiter().GetResult();
        }
    }

    /// <summary>Signals every worker; everything not finished fails with <see cref="BrokenProcessPoolException"/>.</summary>
    public void SignalAllWorkers(int signal, string reason)
    {
        List<RemoteTask> failed;
        lock (_lock)
        {
            ExecutorLog.WorkersSignalled(_settings.Logger, signal, reason);
            _shutdown = true;
            failed = [.. _pending];
            _pending.Clear();
            foreach (WorkerHandle worker in _workers)
            {
                worker.KilledBecause ??= new BrokenProcessPoolException(reason);
                worker.State = WorkerState.Retiring;
                worker.Signal(signal);
            }

            CheckTerminatedLocked();
        }

        foreach (RemoteTask task in failed)
        {
            task.Fail(new BrokenProcessPoolException(reason));
        }
    }

    // ---- Events from workers (called by WorkerHandle / WorkerConnections) ----

    /// <summary>
    /// A worker's process exists. Under the lock, so that a kill decided while it was being launched (when it had no
    /// pid to signal) is carried out now.
    /// </summary>
    public void OnLaunched(WorkerHandle worker, System.Diagnostics.Process process)
    {
        lock (_lock)
        {
            worker.Process = process;
            worker.Pid = process.Id;
            if (worker.KilledBecause is not null || worker.TimedOutTask is not null)
            {
                worker.Signal(NativeMethods.Sigkill);
            }
        }
    }

    /// <summary>A worker connected and proved it holds the pool's token.</summary>
    public void OnConnected(WorkerHandle worker)
    {
        lock (_lock)
        {
            if (worker.State == WorkerState.Dead)
            {
                return;
            }

            if (worker.State != WorkerState.Starting)
            {
                // Retired or doomed while it was starting: it never takes work.
                if (worker.KilledBecause is not null)
                {
                    worker.Signal(NativeMethods.Sigkill);
                }
                else
                {
                    StopIfRetiredLocked(worker);
                }

                return;
            }

            if (_settings.Initializer is { } init && worker.State == WorkerState.Starting)
            {
                worker.SendDefine(init.Function);
                worker.KnownFunctions.Add(init.Function.Id);
                worker.SendInitialize(init.Function, init.Target, init.Arguments);
                return; // ready once Initialized arrives
            }

            BecomeReadyLocked(worker);
        }
    }

    public void OnInitialized(WorkerHandle worker, bool ok, Exception? failure)
    {
        if (ok)
        {
            lock (_lock)
            {
                if (worker.State == WorkerState.Starting)
                {
                    BecomeReadyLocked(worker);
                }
            }

            return;
        }

        Break(new BrokenProcessPoolException($"A worker's initializer ({_settings.Initializer!.Function.Describe()}) failed: {failure?.Message}. The pool is not usable anymore.", failure));
    }

    public void OnResult(WorkerHandle worker, long taskId, bool ok, ReadOnlySequence<byte> payload, long runMicros, long workingSet)
    {
        RemoteTask task;
        lock (_lock)
        {
            if (!worker.InFlight.TryPeek(out RemoteTask? head) || head.Id != taskId)
            {
                throw new InvalidDataException($"Worker {worker.Pid} sent a result for task {taskId}, which it does not hold.");
            }

            task = worker.InFlight.Dequeue();
            worker.LargeInFlight -= task.LargeArguments ? 1 : 0;
            _averageTaskMicros = double.IsNaN(_averageTaskMicros) ? runMicros : (0.9 * _averageTaskMicros) + (0.1 * runMicros);
            if (worker.InFlight.TryPeek(out RemoteTask? next))
            {
                next.StartedAt = Stopwatch.GetTimestamp();
            }
            else
            {
                worker.IdleSince = Stopwatch.GetTimestamp();
            }

            if (_settings.MaxWorkerMemoryBytes is { } limit && workingSet > limit && worker.State == WorkerState.Ready)
            {
                worker.State = WorkerState.Retiring;
                ExecutorLog.WorkerRecycled(_settings.Logger, worker.Pid, "MaxWorkerMemoryBytes", limit);
            }

            if (!ok && worker.State == WorkerState.Ready && ExceptionPayload.IsOutOfMemory(payload))
            {
                // The work ran out of memory (MaxWorkerHeapBytes, or the machine): what the worker holds may be damaged.
                worker.State = WorkerState.Retiring;
                ExecutorLog.WorkerRecycled(_settings.Logger, worker.Pid, "OutOfMemoryException", _settings.MaxWorkerHeapBytes ?? 0);
            }

            StopIfRetiredLocked(worker);
            DispatchLocked();
            if (_shutdown)
            {
                RetireIdleWorkersLocked();
            }
        }

        // Completion runs outside the lock (callbacks may submit); the payload stays valid until this returns.
        // Whatever goes wrong here fails this task's future, which has already left the worker's queue.
        try
        {
            Complete(worker, task, ok, payload);
        }
        catch (Exception exception)
        {
            task.Fail(new InvalidDataException($"The result of {task.Function.Describe()} could not be read: {exception.Message}", exception));
            throw;
        }
    }

    /// <summary>Marks the pool broken (an initializer failed, workers cannot start): all work fails, workers are killed.</summary>
    public void Break(BrokenProcessPoolException exception)
    {
        List<(RemoteTask Task, Exception Error)> failed = [];
        lock (_lock)
        {
            BreakLocked(exception, failed);
            CheckTerminatedLocked();
        }

        foreach ((RemoteTask task, Exception error) in failed)
        {
            task.Fail(error);
        }
    }

    /// <summary>Called when a worker that was started could not be launched at all.</summary>
    public void OnLaunchFailed(WorkerHandle worker, Exception exception) =>
        Break(new BrokenProcessPoolException($"Could not start a worker process: {exception.Message}", exception));
}
