using System.Buffers;
using System.Diagnostics;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Orleans;

/// <summary>Calls to slot grains and what their outcome means.</summary>
internal sealed partial class ClusterDispatcher
{
    /// <summary>How many failed calls of one task are blamed on another, silent silo (not counted as attempts) at most.</summary>
    private const int MaxReroutes = 20;

    /// <summary>Results at least this large are read on a thread of their own (see <see cref="OnCallEnded"/>).</summary>
    private const long LargeResult = 16 * 1024 * 1024;

    /// <summary>How long a silo whose call failed gets no new work (membership usually settles its fate sooner).</summary>
    private static readonly TimeSpan SuspectSiloPause = TimeSpan.FromSeconds(3);

    private void StartCalls(List<ClusterTask> started)
    {
        foreach (ClusterTask task in started)
        {
            _ = CallAsync(task);
        }
    }

    private async Task CallAsync(ClusterTask task)
    {
        WorkResponse? response = null;
        Exception? failure = null;
        CancellationTokenSource call = task.Call!;
        try
        {
            response = await SendAsync(task, call.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure of the call (not of the work, which comes back in the response) means it was lost.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failure = exception;
        }

        if (failure is not null && !call.IsCancellationRequested && task.Silo?.Payloads is not null)
        {
            await ClassifyFailureAsync(task).ConfigureAwait(false);
        }

        OnCallEnded(task, response, failure);
    }

    /// <summary>
    /// A call failed (not its work: that comes back in a response). If its silo is silent — frozen or cut off, not gone —
    /// that is the silo's fault, not the work's: re-sent without counting an attempt, as when the probes find it silent.
    /// If another silo is silent, the failure may be its doing (Orleans routes grain directory lookups through every
    /// silo: a silent one fails activations elsewhere), so it is re-sent without counting too — at most
    /// <see cref="MaxReroutes"/> times. A silo that is gone (its port refuses) still costs the call an attempt: work that
    /// kills the silo running it must not go round forever.
    /// </summary>
    private async Task ClassifyFailureAsync(ClusterTask task)
    {
        SiloAnswer answer = await ProbeAsync(task.Silo!, _options.SiloUnresponsiveTimeout / 2).ConfigureAwait(false);
        lock (_lock)
        {
            if (task.Loss != CallLoss.None)
            {
                return;
            }

            TimeSpan quiet = _options.SiloUnresponsiveTimeout * 2 / 5; // two probe intervals without an answer
            if (answer == SiloAnswer.Silent)
            {
                task.Loss = CallLoss.SiloUnresponsive;
            }
            else if (answer == SiloAnswer.Answered && task.Reroutes < MaxReroutes
                && _silos.Values.Any(s => s != task.Silo && s.Payloads is not null && (s.Unresponsive || Stopwatch.GetElapsedTime(s.LastAnswer) > quiet)))
            {
                task.Reroutes++;
                task.Loss = CallLoss.RouteLost;
            }
        }
    }

    /// <summary>
    /// One call: a large target or arguments are put on the silo's payload port first, the grain call carries their
    /// ids, and a large answer is taken from there after it. Any failure on the way is the call's loss.
    /// </summary>
    private async Task<WorkResponse> SendAsync(ClusterTask task, CancellationToken cancellationToken)
    {
        PayloadEndpoint? payloads = task.Silo!.Payloads;
        Guid target = Guid.Empty, arguments = Guid.Empty;
        if (task.LargeTarget is not null || task.LargeArguments is not null)
        {
            target = task.LargeTarget is { } t ? await _payloads.PutAsync(payloads!, t, cancellationToken).ConfigureAwait(false) : Guid.Empty;
            arguments = task.LargeArguments is { } a ? await _payloads.PutAsync(payloads!, a, cancellationToken).ConfigureAwait(false) : Guid.Empty;
        }

        WorkRequest request = task.Request.ForCall(task.CallId, target, arguments);
        Interlocked.Exchange(ref task.AwaitingSince, Stopwatch.GetTimestamp()); // from now on its silo should know it

        // Orleans passes the cancellation on to the silo but may keep the call pending until the silo answers it — never,
        // if the silo or the gateway the call went through is cut off. The executor stops waiting at once instead.
        Task<WorkResponse> call = _client.GetGrain<IWorkSlotGrain>(task.Slot!).Run(request, cancellationToken);
        if (!call.IsCompleted)
        {
            _ = call.ContinueWith(static abandoned => _ = abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        WorkResponse response = await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref task.AwaitingSince, 0); // answered: a large answer may still take a while to fetch
        if (response.PayloadId == Guid.Empty)
        {
            return response;
        }

        PooledPayload payload = await _payloads.TakeAsync(payloads!, response.PayloadId, cancellationToken).ConfigureAwait(false);
        return new WorkResponse { Ok = response.Ok, Payload = [], Taken = payload };
    }

    /// <summary>
    /// The one place that decides what a call's end means: a response completes the future (with its result or the
    /// work's own exception); anything else — a lost silo, a lost connection, a timeout — re-sends the task to another
    /// slot until <see cref="ClusterExecutorOptions.MaxAttempts"/>, then fails it.
    /// </summary>
    private void OnCallEnded(ClusterTask task, WorkResponse? response, Exception? failure)
    {
        Exception? finalError = null;
        List<ClusterTask> started;
        lock (_lock)
        {
            SiloSlots silo = task.Silo!;
            CallLoss loss = task.Loss;
            task.Loss = CallLoss.None;
            bool timedOut = failure is OperationCanceledException && loss == CallLoss.None && task.Call!.IsCancellationRequested;
            silo.InFlight.Remove(task);
            _inFlight--;
            task.Call!.Dispose();
            task.Call = null;
            bool siloActive = _silos.TryGetValue(silo.Address, out SiloSlots? current) && current == silo;
            if (response is { HandedBack: true })
            {
                // The silo is stopping and handed the call back: run it elsewhere, not counted as an attempt, and send
                // that silo nothing more (membership will soon say it left).
                if (siloActive)
                {
                    silo.ReturnSlot(task.Slot!);
                }

                silo.SuspendedUntil = long.MaxValue;
                ClusterLog.CallRetried(_logger, task.Request.Description, silo.Address, "its silo is stopping and handed it back", task.Attempts + 1, _options.MaxAttempts);
                _pending.AddFirst(task);
                response = null;
            }
            else if (response is { WorkerDeath: { } death })
            {
                // The silo is fine; the worker process that ran the task died (or was killed for TaskTimeout).
                if (siloActive)
                {
                    silo.ReturnSlot(task.Slot!);
                }

                response = null;
                finalError = RetryAfterWorkerDeathLocked(task, silo, death);
            }
            else if (response is not null)
            {
                silo.LastAnswer = Stopwatch.GetTimestamp();
                silo.Answered(silo.LastAnswer - task.DispatchedAt, task.DispatchedBehind);
                if (siloActive)
                {
                    silo.ReturnSlot(task.Slot!);
                }
            }
            else
            {
                if (siloActive && loss == CallLoss.RouteLost && failure is OperationCanceledException)
                {
                    // Ended by the executor because another silo (maybe the gateway) left or went silent: this silo is
                    // fine and its activation is kept. A new one would have to be registered in the grain directory,
                    // which a silent silo may hold part of; at worst the re-sent call waits for the abandoned one.
                    silo.ReturnSlot(task.Slot!);
                }
                else if (siloActive)
                {
                    silo.ReplaceSlot(); // the old activation may still be busy with the abandoned call
                    if ((loss is CallLoss.None or CallLoss.SiloUnresponsive) && !timedOut)
                    {
                        // The call failed on its own (connection refused or reset, silo unavailable): the silo may be
                        // dying before membership says so. Send nothing more there for a while, so queued work does not
                        // spend its attempts on it.
                        silo.SuspendedUntil = Stopwatch.GetTimestamp() + (long)(SuspectSiloPause.TotalSeconds * Stopwatch.Frequency);
                    }
                }

                finalError = RetryOrFailLocked(task, silo, loss, timedOut, failure);
            }

            task.Silo = null;
            task.Slot = null;
            started = DispatchLocked();
            CheckTerminatedLocked();
        }

        // Completion runs outside the lock: callbacks may submit more work.
        if (response is not null)
        {
            task.ReleasePayloads();
            if (response.Taken is { Length: >= LargeResult })
            {
                // Reading a large result is a long copy: on a thread of its own, not one of the few pool threads
                // every other call's continuations need (on 2 cores a 300 MB result held them up for ~1 s).
                _ = Task.Factory.StartNew(static state => { var (t, r) = ((ClusterTask, WorkResponse))state!; Complete(t, r); }, (task, response), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            else
            {
                Complete(task, response);
            }
        }
        else if (finalError is not null)
        {
            task.ReleasePayloads();
            task.Item.Fail(finalError);
        }

        StartCalls(started);
    }

    /// <summary>
    /// A call ended without a response: puts the task back at the front of the queue, or — after
    /// <see cref="ClusterExecutorOptions.MaxAttempts"/> lost attempts — returns the error to fail it with. A call
    /// re-sent only because another silo (maybe its gateway) left does not count as an attempt.
    /// </summary>
    private Exception? RetryOrFailLocked(ClusterTask task, SiloSlots silo, CallLoss loss, bool timedOut, Exception? failure)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "RetryOrFailLocked runs under _lock");
        if (loss is CallLoss.RouteLost or CallLoss.SiloUnresponsive || (loss == CallLoss.Undelivered && task.Reroutes <= MaxReroutes))
        {
            string why = loss switch
            {
                CallLoss.RouteLost => "another silo, maybe its gateway, left the cluster or stopped answering",
                CallLoss.Undelivered => "its silo never got it, or its answer never came back, although the silo answers (lost on the way through Orleans)",
                _ => "its silo stopped answering",
            };
            ClusterLog.CallRetried(_logger, task.Request.Description, silo.Address, why, task.Attempts + 1, _options.MaxAttempts);
            _pending.AddFirst(task);
            return null;
        }

        task.Attempts++;
        string reason = loss == CallLoss.SiloLost ? "its silo left the cluster" : loss == CallLoss.Undelivered ? $"it was lost on the way to or from its silo {task.Reroutes} times" : timedOut ? $"no answer within TaskTimeout {_options.TaskTimeout}" : $"{failure!.GetType().Name}: {failure.Message}";
        if (task.Attempts < _options.MaxAttempts && !(_shutdown && _terminating))
        {
            ClusterLog.CallRetried(_logger, task.Request.Description, silo.Address, reason, task.Attempts + 1, _options.MaxAttempts);
            _pending.AddFirst(task);
            return null;
        }

        ClusterLog.CallFailed(_logger, task.Request.Description, task.Attempts, reason);
        return timedOut
            ? new TimeoutException($"{task.Request.Description} got no answer within the TaskTimeout of {_options.TaskTimeout} in {task.Attempts} attempts.", failure)
            : new BrokenExecutorException($"{task.Request.Description} was sent {task.Attempts} times and lost each time; the last time {reason}.", failure);
    }

    /// <summary>
    /// The worker process running the task died: re-sent to another worker until <see cref="ClusterExecutorOptions.MaxAttempts"/>,
    /// then failed naming each death — a task that kills every process that runs it (Dask: <c>KilledWorker</c>).
    /// </summary>
    private BrokenExecutorException? RetryAfterWorkerDeathLocked(ClusterTask task, SiloSlots silo, string death)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "RetryAfterWorkerDeathLocked runs under _lock");
        task.Attempts++;
        (task.WorkerDeaths ??= []).Add(death);
        if (task.Attempts < _options.MaxAttempts && !(_shutdown && _terminating))
        {
            ClusterLog.CallRetried(_logger, task.Request.Description, silo.Address, "its worker process died", task.Attempts + 1, _options.MaxAttempts);
            _pending.AddFirst(task);
            return null;
        }

        ClusterLog.CallFailed(_logger, task.Request.Description, task.Attempts, "its worker process died each time");
        string deaths = string.Join(" ", task.WorkerDeaths.Select((d, i) => $"Attempt {i + 1}, {d}"));
        return new BrokenExecutorException(
            $"{task.Request.Description} killed the worker process running it on each of its {task.Attempts} attempts, so it is not sent again (a poison task; Dask calls this KilledWorker). {deaths} The silos are unaffected.");
    }

    private static void Complete(ClusterTask task, WorkResponse response)
    {
        try
        {
            ResultCompleter.Complete(task, response.Ok, new ReadOnlySequence<byte>(response.Taken?.Memory ?? response.Payload));
        }
        finally
        {
            response.Taken?.Return(); // read: the result holds its own copies
        }
    }
}
