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
        }
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
        foreach (SiloSlots silo in _silos.Values)
        {
            foreach (ClusterTask task in silo.InFlight.Where(t => t.Loss == CallLoss.None && t.Call is not null))
            {
                task.Loss = silo == silent ? CallLoss.SiloUnresponsive : CallLoss.RouteLost;
                cancelled.Add(task.Call!);
            }
        }
    }

    /// <summary>Asks the silo to answer within <paramref name="timeout"/>: it answers, stays silent, or is gone (its port refuses or resets).</summary>
    private async Task<SiloAnswer> ProbeAsync(SiloSlots silo, TimeSpan timeout)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        probe.CancelAfter(timeout);
        try
        {
            await _payloads.PingAsync(silo.Payloads!, probe.Token).ConfigureAwait(false);
            return SiloAnswer.Answered;
        }
        catch (OperationCanceledException)
        {
            return SiloAnswer.Silent;
        }
#pragma warning disable CA1031 // Any other failure to answer: the connection was refused, reset or closed.
        catch (Exception)
#pragma warning restore CA1031
        {
            return SiloAnswer.Gone;
        }
    }

    private enum SiloAnswer
    {
        Answered,
        Silent,
        Gone,
    }
}
