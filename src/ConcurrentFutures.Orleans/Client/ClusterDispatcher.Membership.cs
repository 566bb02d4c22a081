using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>Following cluster membership: new silos get slots, lost silos give their calls back to the queue.</summary>
internal sealed partial class ClusterDispatcher
{
    /// <summary>How long a membership or capacity query may take: one sent through a gateway that just died never answers.</summary>
    private static readonly TimeSpan MembershipCallTimeout = TimeSpan.FromSeconds(5);

    private async Task MembershipLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.MembershipRefreshInterval);
        do
        {
            await RefreshMembershipAsync().ConfigureAwait(false);
        }
        while (await WaitAsync(timer).ConfigureAwait(false));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RefreshMembershipAsync()
    {
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(MembershipCallTimeout, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // The cluster may be briefly unreachable; the next refresh tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            ClusterLog.MembershipUnavailable(_logger, exception.Message);
            CheckUnavailable(noSilos: true);
            return;
        }

        List<SiloSlots> joined = [];
        List<CancellationTokenSource> lost = [];
        lock (_lock)
        {
            bool anyLost = false;
            foreach (SiloAddress address in hosts.Keys.Where(a => !_silos.ContainsKey(a)))
            {
                var silo = new SiloSlots(address);
                _silos.Add(address, silo);
                joined.Add(silo);
            }

            foreach (SiloSlots silo in _silos.Values.Where(s => !hosts.ContainsKey(s.Address)).ToList())
            {
                _silos.Remove(silo.Address);
                if (silo.Payloads is { } payloads)
                {
                    _payloads.Forget(payloads);
                }

                anyLost = true;
                ClusterLog.SiloLost(_logger, silo.Address, silo.InFlight.Count);
                foreach (ClusterTask task in silo.InFlight)
                {
                    task.Loss = CallLoss.SiloLost;
                    lost.Add(task.Call!);
                }
            }

            if (anyLost)
            {
                // Calls to the silos still up may have gone through the lost one as their gateway; their answers
                // would never come. Re-send them too.
                foreach (ClusterTask task in _silos.Values.SelectMany(s => s.InFlight).Where(t => t.Loss == CallLoss.None))
                {
                    task.Loss = CallLoss.RouteLost;
                    lost.Add(task.Call!);
                }
            }
        }

        Cancel(lost);

        foreach (SiloSlots silo in joined)
        {
            await LearnCapacityAsync(silo).ConfigureAwait(false);
        }

        CheckUnavailable(noSilos: hosts.Count == 0);

        List<ClusterTask> resumed;
        lock (_lock)
        {
            resumed = DispatchLocked(); // a silo's pause after a failed call may have ended
        }

        StartCalls(resumed);
    }

    /// <summary>Asks a new silo for its processor count and payload port, and opens its slots.</summary>
    private async Task LearnCapacityAsync(SiloSlots silo)
    {
        SiloInfo info;
        try
        {
            info = await _client.GetGrain<IWorkSlotGrain>(silo.InfoKey).GetSiloInfo().WaitAsync(MembershipCallTimeout, _stop.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The silo may have left already; the next refresh sorts it out.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            ClusterLog.MembershipUnavailable(_logger, $"silo {silo.Address} did not answer: {exception.Message}");
            lock (_lock)
            {
                _silos.Remove(silo.Address);
            }

            return;
        }

        List<ClusterTask> started;
        lock (_lock)
        {
            if (!_silos.TryGetValue(silo.Address, out SiloSlots? current) || current != silo)
            {
                return;
            }

            silo.Payloads = info.Payloads;
            silo.Gateway = info.Gateway;
            silo.SetCores(Math.Max(1, info.ProcessorCount));
            ClusterLog.SiloJoined(_logger, silo.Address);
            started = DispatchLocked();
        }

        StartCalls(started);
    }

    /// <summary>Fails waiting work when no silo has been usable for <see cref="ClusterExecutorOptions.ClusterUnavailableTimeout"/>.</summary>
    private void CheckUnavailable(bool noSilos)
    {
        List<ClusterTask> failed = [];
        lock (_lock)
        {
            bool usable = !noSilos && _silos.Values.Any(s => s.Capacity > 0 && !s.Unresponsive);
            if (usable || _pending.Count == 0)
            {
                _unavailableSince = 0;
                return;
            }

            if (_unavailableSince == 0)
            {
                _unavailableSince = Stopwatch.GetTimestamp();
                return;
            }

            if (Stopwatch.GetElapsedTime(_unavailableSince) < _options.ClusterUnavailableTimeout)
            {
                return;
            }

            ClusterLog.ClusterUnavailable(_logger, _options.ClusterUnavailableTimeout, _pending.Count);
            failed.AddRange(_pending);
            _pending.Clear();
            _unavailableSince = 0;
            CheckTerminatedLocked();
        }

        var error = new BrokenExecutorException($"No silo of the cluster was reachable for {_options.ClusterUnavailableTimeout}; the work waiting for one failed. Check that silos are running with UseClusterWorker() and the same cluster id.");
        foreach (ClusterTask task in failed)
        {
            task.Item.Fail(error);
        }
    }
}
