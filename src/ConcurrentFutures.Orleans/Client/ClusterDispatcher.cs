using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// Owns all state of one cluster executor under one lock: work not yet sent, the silos and their slots, the calls in
/// flight. Decides where work goes (the least busy silo with a free slot), and — in <see cref="OnCallEnded"/> only —
/// what happens when a call is lost: it is re-sent to another slot until <see cref="ClusterExecutorOptions.MaxAttempts"/>,
/// then fails. Nothing is dropped: every task ends with a result, its own exception, or a failure saying why.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "_stop and _payloads are disposed when the dispatcher terminates (TerminateAsync), not by a caller.")]
internal sealed partial class ClusterDispatcher
{
    /// <summary>How long sending waits, after a gateway went silent, for the client to read its gateway list without it.</summary>
    private static readonly TimeSpan GatewaySettlePatience = TimeSpan.FromSeconds(3);

    private readonly object _lock = new();
    private readonly IClusterClient _client;
    private readonly ClusterExecutorOptions _options;
    private readonly ILogger _logger;

    /// <summary>Tasks not yet sent, in submission order; re-sent tasks go back to the front.</summary>
    private readonly LinkedList<ClusterTask> _pending = new();

    /// <summary>Active silos by address, as last read from membership.</summary>
    private readonly Dictionary<SiloAddress, SiloSlots> _silos = [];

    /// <summary>Completed when, after shutdown, nothing is pending or in flight and the membership loop has stopped.</summary>
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Stops the membership loop at termination.</summary>
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Moves large payloads to and from the silos' payload ports.</summary>
    private readonly PayloadClient _payloads;

    /// <summary>The client's gateway list, when the client was built with UseClusterExecutor(); null otherwise.</summary>
    private readonly GatewaySteering? _steering;

    private readonly Func<ValueTask> _onTerminated;
    private readonly Task _membershipLoop;
    private readonly Task _livenessLoop;

    private int _inFlight;
    private bool _shutdown;
    private bool _terminating;

    /// <summary>Since when no silo has been usable while work waited (a timestamp), or 0.</summary>
    private long _unavailableSince;

    public ClusterDispatcher(IClusterClient client, ClusterExecutorOptions options, ILogger logger, Func<ValueTask> onTerminated)
    {
        (_client, _options, _logger, _onTerminated) = (client, options, logger, onTerminated);
        _payloads = new PayloadClient(options.ShareMemoryWithLocalSilos);
        _steering = client.ServiceProvider.GetService(typeof(GatewaySteering)) as GatewaySteering;
        _membershipLoop = Task.Run(MembershipLoopAsync);
        _livenessLoop = Task.Run(LivenessLoopAsync);
    }

    public Task Terminated => _terminated.Task;

    /// <summary>Bytes this executor wrote into or read from the slabs of silos on this machine (diagnostics for tests).</summary>
    internal long SharedMemoryBytes => _payloads.SharedBytes;

    /// <summary>Silos known to be up, for the live-workers gauge.</summary>
    public int SiloCount
    {
        get
        {
            lock (_lock)
            {
                return _silos.Values.Count(s => s.Capacity > 0);
            }
        }
    }

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

    /// <summary>The cap on calls in flight: the option, else the sum of silo slots (at least 1 once a silo is known).</summary>
    private int Concurrency => _options.MaxConcurrency ?? Math.Max(1, _silos.Values.Sum(s => s.Capacity));

    public void Submit(ClusterTask task)
    {
        List<ClusterTask> started;
        lock (_lock)
        {
            if (_shutdown)
            {
                throw new ObjectDisposedException(nameof(ClusterExecutor), "Cannot submit work after Shutdown: the executor no longer accepts work.");
            }

            _pending.AddLast(task);
            started = DispatchLocked();
        }

        StartCalls(started);
    }

    public void Shutdown(bool wait, bool cancelFutures)
    {
        List<ClusterTask> cancelled = [];
        lock (_lock)
        {
            _shutdown = true;
            if (cancelFutures)
            {
                cancelled.AddRange(_pending);
                _pending.Clear();
            }

            CheckTerminatedLocked();
        }

        foreach (ClusterTask task in cancelled)
        {
            task.Future.Cancel();
        }

        if (wait)
        {
            _terminated.Task.GetAwaiter().GetResult();
        }
    }

    /// <summary>Sends pending tasks to free slots, least busy silo first; returns the tasks whose calls must be started.</summary>
    private List<ClusterTask> DispatchLocked()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "DispatchLocked runs under _lock");
        List<ClusterTask> started = [];
        if (_steering is not null && !_steering.Settled(GatewaySettlePatience))
        {
            return started; // a gateway went silent: wait until the client routes around it, or calls would go there again
        }

        while (_pending.First is { } node && _inFlight < Concurrency)
        {
            SiloSlots? target = null;
            foreach (SiloSlots silo in _silos.Values)
            {
                if (silo.HasFreeSlot && (target is null || silo.InFlight.Count < target.InFlight.Count))
                {
                    target = silo;
                }
            }

            if (target is null)
            {
                break;
            }

            ClusterTask task = node.Value;
            _pending.RemoveFirst();
            if (!task.TryStart())
            {
                continue; // cancelled while queued
            }

            task.Silo = target;
            task.Slot = target.TakeSlot();
            task.Loss = CallLoss.None;
            task.CallId = Guid.NewGuid();
            task.AwaitingSince = 0;
            task.DispatchedAt = Stopwatch.GetTimestamp();
            task.Call = new CancellationTokenSource();
            if (_options.TaskTimeout is { } timeout)
            {
                task.Call.CancelAfter(timeout);
            }

            target.InFlight.Add(task);
            task.DispatchedBehind = target.InFlight.Count;
            _inFlight++;
            started.Add(task);
        }

        // Popping tasks cancelled while queued may have emptied the queue after a shutdown: whichever caller dispatched
        // (a call ending, a silo joining or answering again), the executor terminates then. Without this, a Map
        // cancelled before any silo was known left Shutdown(wait: true) waiting forever.
        CheckTerminatedLocked();
        return started;
    }

    /// <summary>
    /// Ends calls the executor gave up on, outside the lock: each token source was taken under it from a call still in
    /// flight, so a call that ended meanwhile (and was re-sent with a new token source) is not touched; one already
    /// disposed is skipped. Each call ends with OperationCanceledException, and OnCallEnded re-sends it.
    /// </summary>
    internal static void Cancel(List<CancellationTokenSource> calls)
    {
        foreach (CancellationTokenSource call in calls)
        {
            try
            {
                call.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // that call ended on its own meanwhile
            }
        }
    }

    private void CheckTerminatedLocked()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "CheckTerminatedLocked runs under _lock");
        if (_shutdown && !_terminating && _pending.Count == 0 && _inFlight == 0)
        {
            _terminating = true;
            _ = TerminateAsync();
        }
    }

    private async Task TerminateAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _membershipLoop.ConfigureAwait(false);
            await _livenessLoop.ConfigureAwait(false);
            await _onTerminated().ConfigureAwait(false);
        }
        finally
        {
            _payloads.Dispose();
            _stop.Dispose();
            _terminated.TrySetResult();
        }
    }
}
