using System.Diagnostics;
using System.Net;
using Orleans.Messaging;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// Keeps an Orleans client's calls away from a gateway silo the executor found silent. The client picks a gateway for
/// each grain by hash and keeps using it while its connection is open — and the connection to a frozen or cut-off silo
/// stays open, so every call routed through it would wait forever, whatever silo it was for. This list (the client's
/// gateway list, filtered) leaves such gateways out; the client re-reads it every second
/// (<see cref="ClusterExecutorClientBuilderExtensions.UseClusterExecutor"/> sets that), closes its connection to a
/// gateway no longer listed and moves its grains to the others. One per client; every executor on it shares it.
/// </summary>
internal sealed class GatewaySteering
{
    /// <summary>How long the client takes to apply a list it has read (it does so at once, on the same thread).</summary>
    private static readonly TimeSpan ApplyMoment = TimeSpan.FromMilliseconds(100);

    private readonly object _lock = new();
    private readonly Dictionary<IPEndPoint, long> _silenced = [];

    /// <summary>When the client last read the list, as a timestamp.</summary>
    private long _lastRead;

    /// <summary>Leaves the gateway out of the client's list from its next read; calls through it can then be re-sent.</summary>
    public void Silence(SiloAddress gateway)
    {
        lock (_lock)
        {
            _silenced.TryAdd(gateway.Endpoint, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Lists the gateway again: it answers.</summary>
    public void Restore(SiloAddress gateway)
    {
        lock (_lock)
        {
            _silenced.Remove(gateway.Endpoint);
        }
    }

    /// <summary>
    /// True once the client has read its gateway list since the last gateway was silenced (plus a moment for it to
    /// apply it): calls sent from then on go through gateways that answer. True at once after <paramref name="patience"/>
    /// (a client that does not read this list).
    /// </summary>
    public bool Settled(TimeSpan patience)
    {
        lock (_lock)
        {
            if (_silenced.Count == 0)
            {
                return true;
            }

            long latest = _silenced.Values.Max();
            return (_lastRead > latest && Stopwatch.GetElapsedTime(_lastRead) > ApplyMoment) || Stopwatch.GetElapsedTime(latest) > patience;
        }
    }

    /// <summary>The client's list without the silenced gateways — unless that would leave none.</summary>
    public IList<Uri> Filter(IList<Uri> gateways)
    {
        lock (_lock)
        {
            _lastRead = Stopwatch.GetTimestamp();
            if (_silenced.Count == 0)
            {
                return gateways;
            }

            List<Uri> answering = [.. gateways.Where(uri => uri.ToGatewayAddress() is not { } address || !_silenced.ContainsKey(address.Endpoint))];
            return answering.Count > 0 ? answering : gateways;
        }
    }
}

/// <summary>The client's own gateway list provider, read through <see cref="GatewaySteering"/>.</summary>
internal sealed class SteeredGatewayListProvider(IGatewayListProvider inner, GatewaySteering steering) : IGatewayListProvider
{
    /// <summary>How long the inner provider's list is reused (the client reads this one every second).</summary>
    private static readonly TimeSpan InnerRefresh = TimeSpan.FromSeconds(30);

    private IList<Uri>? _list;
    private long _listReadAt;

    public TimeSpan MaxStaleness => inner.MaxStaleness;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => inner.InitializeGatewayListProvider();

    public async Task<IList<Uri>> GetGateways()
    {
        if (_list is null || Stopwatch.GetElapsedTime(_listReadAt) > InnerRefresh)
        {
            _list = await inner.GetGateways().ConfigureAwait(false);
            _listReadAt = Stopwatch.GetTimestamp();
        }

        return steering.Filter(_list);
    }
}
