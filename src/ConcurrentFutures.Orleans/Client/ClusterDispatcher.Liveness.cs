using System.Diagnostics;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The executor's own view of which silos answer: a probe to each silo's payload port every fifth of
/// <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/>, straight to the silo (not through a gateway), so a
/// silo that is frozen or cut off is noticed even when Orleans' membership never declares it dead (too few voters, or
/// the membership table is on the silo that went silent).
/// </summary>
internal sealed partial class ClusterDispatcher
{
    private async Task LivenessLoopAsync()
    {
        TimeSpan interval = _options.SiloUnresponsiveTimeout / 5;
        using var timer = new PeriodicTimer(interval);
        while (await WaitAsync(timer).ConfigureAwait(false))
        {
            await ProbeSilosAsync(probeTimeout: _options.SiloUnresponsiveTimeout / 2).ConfigureAwait(false);
            await AskAboutCallsAsync(askTimeout: _options.SiloUnresponsiveTimeout / 2).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks each answering silo about the calls it was sent more than <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/>
    /// ago and has not answered (each call at most that often): one the silo never got, or answered that long ago, was
    /// lost on its way through Orleans and is re-sent (<see cref="CallLoss.Undelivered"/>). Orleans would wait for it
    /// forever: a gateway that was cut off and came back can hold calls, or their answers, on a connection in TCP
    /// back-off for minutes.
    /// </summary>
    private async Task AskAboutCallsAsync(TimeSpan askTimeout)
    {
        TimeSpan patience = _options.SiloUnresponsiveTimeout;
        List<(ClusterTask Task, SiloSlots Silo, Guid Call)> asks = [];
        lock (_lock)
        {
            long now = Stopwatch.GetTimestamp();
            foreach (SiloSlots silo in _silos.Values.Where(s => !s.Unresponsive && s.Payloads is not null))
            {
                foreach (ClusterTask task in silo.InFlight)
                {
                    long since = Interlocked.Read(ref task.AwaitingSince);
                    if (task.Loss == CallLoss.None && since != 0 && Stopwatch.GetElapsedTime(since, now) > patience
                        && Stopwatch.GetElapsedTime(Math.Max(task.AskedAt, since), now) > patience)
                    {
                        task.AskedAt = now;
                        asks.Add((task, silo, task.CallId));
                    }
                }
            }
        }

        if (asks.Count == 0)
        {
            return;
        }

        (SiloAnswer Answer, TimeSpan? Since)[] answers = await Task.WhenAll(asks.Select(ask => AskAsync(ask.Silo, ask.Call, askTimeout))).ConfigureAwait(false);
        List<CancellationTokenSource> lost = [];
        lock (_lock)
        {
            for (int i = 0; i < asks.Count; i++)
            {
                var (task, silo, call) = asks[i];
                bool stillWaiting = task.CallId == call && task.Silo == silo && task.Loss == CallLoss.None && task.Call is not null && Interlocked.Read(ref task.AwaitingSince) != 0;
                // Lost: the silo answered the question, and either never got the call or answered it long ago.
                bool lostOnTheWay = answers[i] is (SiloAnswer.Answered, var since) && (since is null || since > patience);
                if (stillWaiting && lostOnTheWay)
                {
                    task.Loss = CallLoss.Undelivered;
                    task.Reroutes++;
                    lost.Add(task.Call!);
                }
            }
        }

        Cancel(lost);
    }

    private async Task ProbeSilosAsync(TimeSpan probeTimeout)
    {
        List<SiloSlots> silos;
        lock (_lock)
        {
            silos = [.. _silos.Values.Where(s => s.Payloads is not null)];
        }

        SiloAnswer[] answers = await Task.WhenAll(silos.Select(silo => ProbeAsync(silo, probeTimeout))).ConfigureAwait(false);

        List<CancellationTokenSource> cancelled = [];
        List<ClusterTask> started;
        lock (_lock)
        {
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < silos.Count; i++)
            {
                SiloSlots silo = silos[i];
                if (!_silos.TryGetValue(silo.Address, out SiloSlots? current) || current != silo)
                {
                    continue; // left the cluster meanwhile
                }

                if (answers[i] == SiloAnswer.Answered)
                {
                    silo.LastAnswer = now;
                    if (silo.Gateway is { } gateway)
                    {
                        _steering?.Restore(gateway);
                    }

                    if (silo.Unresponsive)
                    {
                        silo.Unresponsive = false;
                        ClusterLog.SiloAnswersAgain(_logger, silo.Address);
                    }
                }
                else if (!silo.Unresponsive && Stopwatch.GetElapsedTime(silo.LastAnswer, now) > _options.SiloUnresponsiveTimeout)
                {
                    silo.Unresponsive = true;
                    ClusterLog.SiloUnresponsive(_logger, silo.Address, Stopwatch.GetElapsedTime(silo.LastAnswer, now), silo.InFlight.Count);
                    if (silo.Gateway is { } gateway)
                    {
                        _steering?.Silence(gateway); // the client must stop routing calls through it before any is re-sent
                    }

                    EndCallsLocked(silo, cancelled);
                }
            }

            started = DispatchLocked();
        }

        Cancel(cancelled);
        StartCalls(started);
    }

    /// <summary>
    /// Ends the calls of a silo that stopped answering, and — because it may be the gateway other calls went through —
    /// those on the other silos too; none counts as an attempt.
    /// </summary>
    private void EndCallsLocked(SiloSlots silent, List<CancellationTokenSource> cancelled)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "EndCallsLocked runs under _lock");
        foreach (SiloSlots silo in _silos.Values)
        {
            foreach (ClusterTask task in silo.InFlight.Where(t => t.Loss == CallLoss.None && t.Call is not null))
            {
                task.Loss = silo == silent ? CallLoss.SiloUnresponsive : CallLoss.RouteLost;
                cancelled.Add(task.Call!);
            }
        }
    }

    /// <summary>
    /// Asks the silo about a call: whether it answered the question at all, and if so, null (it never got the call), zero
    /// (running it) or how long ago it answered it.
    /// </summary>
    private Task<(SiloAnswer Answer, TimeSpan? Since)> AskAsync(SiloSlots silo, Guid call, TimeSpan timeout) =>
        RequestAsync(silo, (payloads, token) => _payloads.AskAsync(payloads, call, token), timeout);

    /// <summary>Asks the silo to answer within <paramref name="timeout"/>: it answers, stays silent, or is gone (its port refuses or resets).</summary>
    private async Task<SiloAnswer> ProbeAsync(SiloSlots silo, TimeSpan timeout) =>
        (await RequestAsync(silo, async (payloads, token) =>
        {
            await _payloads.PingAsync(payloads, token).ConfigureAwait(false);
            return true;
        }, timeout).ConfigureAwait(false)).Answer;

    /// <summary>
    /// One request to the silo's payload port, straight to the silo: its answer, or that it stayed silent for
    /// <paramref name="timeout"/>, or that it is gone (the connection was refused, reset or closed).
    /// </summary>
    private async Task<(SiloAnswer Answer, T? Value)> RequestAsync<T>(SiloSlots silo, Func<PayloadEndpoint, CancellationToken, Task<T>> request, TimeSpan timeout)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(timeout);
        try
        {
            return (SiloAnswer.Answered, await request(silo.Payloads!, limit.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            return (SiloAnswer.Silent, default);
        }
#pragma warning disable CA1031 // Any other failure to answer: the connection was refused, reset or closed.
        catch (Exception)
#pragma warning restore CA1031
        {
            return (SiloAnswer.Gone, default);
        }
    }

    private enum SiloAnswer
    {
        Answered,
        Silent,
        Gone,
    }
}
