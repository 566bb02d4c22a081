using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The execution slots this client uses on one silo: grain keys <c>{silo}#{n}</c> placed on that silo. A slot whose
/// call was lost or timed out is never reused (its activation may still be busy); a fresh key replaces it.
/// </summary>
/// <remarks>
/// How many calls go to the silo at once: cores × 2 (one running per worker, one waiting so the worker never idles
/// between calls), and cores × 8 while its calls are short: under <see cref="ShortCall"/> each on average. A short
/// call's cost is mostly its round trip (client → silo → worker and back); more of them in flight overlap those round
/// trips and let every hop carry several at once (measured here, one call per no-op item on 2 cores: ~15 k items/s at
/// cores × 2, ~21 k at × 4, ~22 k at × 8). Longer calls keep the shallower depth: work queued on a silo behind them
/// would wait while another silo may be idle, with its TaskTimeout running.
/// A call's length is estimated from its round trip and how many calls were in flight on the silo when it was sent:
/// with n calls on c cores, each waits behind about n / c others, so a round trip of r means about r · c / n per call.
/// The estimate does not grow with the depth itself, so the choice does not swing back and forth.
/// </remarks>
internal sealed class SiloSlots(SiloAddress address)
{
    /// <summary>Below this mean length per call (see remarks), calls are pipelined deeper.</summary>
    internal static readonly TimeSpan ShortCall = TimeSpan.FromMilliseconds(1);

    private static readonly long ShortCallTicks = (long)(ShortCall.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>The mean length of the silo's recent calls (an exponential moving average, in timestamp ticks); long until measured.</summary>
    private long _meanCall = long.MaxValue;

    private int _cores;

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

    /// <summary>Calls at once (cores × 2, or × 8 while calls are short) once the silo told its processor count; 0 until then.</summary>
    public int Capacity => _cores * (_meanCall < ShortCallTicks ? 8 : 2);

    public bool HasFreeSlot => InFlight.Count < Capacity && _free.Count > 0 && !Unresponsive && (SuspendedUntil == 0 || System.Diagnostics.Stopwatch.GetTimestamp() >= SuspendedUntil);

    /// <summary>When the silo last answered the executor (a probe or a call), as a timestamp.</summary>
    public long LastAnswer { get; set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>True while the silo has not answered for <see cref="ClusterExecutorOptions.SiloUnresponsiveTimeout"/>: it gets no work.</summary>
    public bool Unresponsive { get; set; }

    /// <summary>A timestamp before which no work is sent here (a call to it just failed), or 0.</summary>
    public long SuspendedUntil { get; set; }

    /// <summary>The key of the grain that tells this silo's processor count.</summary>
    public string InfoKey => $"{_prefix}#info";

    /// <summary>Opens the silo's slots, enough for the deeper pipelining of short calls.</summary>
    public void SetCores(int cores)
    {
        _cores = cores;
        while (_free.Count + InFlight.Count < cores * 8)
        {
            _free.Push(NewSlot());
        }
    }

    /// <summary>
    /// A call to this silo was answered, <paramref name="roundTrip"/> timestamp ticks after it was sent with
    /// <paramref name="inFlight"/> calls (itself included) in flight here.
    /// </summary>
    public void Answered(long roundTrip, int inFlight)
    {
        long call = roundTrip * _cores / Math.Max(inFlight, Math.Max(_cores, 1));
        _meanCall = _meanCall == long.MaxValue ? call : _meanCall + ((call - _meanCall) / 8);
    }

    public string TakeSlot() => _free.Pop();

    public void ReturnSlot(string slot) => _free.Push(slot);

    /// <summary>Replaces a slot that cannot be trusted anymore by a fresh one.</summary>
    public void ReplaceSlot() => _free.Push(NewSlot());

    private string NewSlot() => $"{_prefix}#{_nextSlot++}";
}
