using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The execution slots this client uses on one silo: grain keys <c>{silo}#{n}</c> placed on that silo. A slot whose
/// call was lost or timed out is never reused (its activation may still be busy); a fresh key replaces it.
/// </summary>
internal sealed class SiloSlots(SiloAddress address)
{
    private readonly string _prefix = address.ToParsableString();
    private readonly Stack<string> _free = new();
    private int _nextSlot;

    public SiloAddress Address { get; } = address;

    /// <summary>Calls in flight on this silo.</summary>
    public HashSet<ClusterTask> InFlight { get; } = [];

    /// <summary>Where this silo takes large payloads; null until it told (with its capacity).</summary>
    public PayloadEndpoint? Payloads { get; set; }

    /// <summary>The silo's gateway, if it has one (told with its capacity).</summary>
    public SiloAddress? Gateway { get; set; }

    /// <summary>Slots (cores × 2) once the silo told its processor count; 0 until then.</summary>
    public int Capacity { get; private set; }

    public bool HasFreeSlot => _free.Count > 0 && !Unresponsive && (SuspendedUntil == 0 || System.Diagnostics.Stopwatch.GetTimestamp() >= SuspendedUntil);

    /// <summary>When the silo last answered the executor (a probe or a call), as a timestamp.</summary>
    public long LastAnswer { get; set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>True while the silo has not answered for <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/>: it gets no work.</summary>
    public bool Unresponsive { get; set; }

    /// <summary>A timestamp before which no work is sent here (a call to it just failed), or 0.</summary>
    public long SuspendedUntil { get; set; }

    /// <summary>The key of the grain that tells this silo's processor count.</summary>
    public string InfoKey => $"{_prefix}#info";

    public void SetCapacity(int slots)
    {
        Capacity = slots;
        while (_free.Count + InFlight.Count < Capacity)
        {
            _free.Push(NewSlot());
        }
    }

    public string TakeSlot() => _free.Pop();

    public void ReturnSlot(string slot) => _free.Push(slot);

    /// <summary>Replaces a slot that cannot be trusted anymore by a fresh one.</summary>
    public void ReplaceSlot() => _free.Push(NewSlot());

    private string NewSlot() => $"{_prefix}#{_nextSlot++}";
}
