using System.Collections.Concurrent;
using System.Diagnostics;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The calls a silo got, by call id: running, or answered (and when), for a few minutes. The executor asks about a call
/// that has been in flight for a while (on the payload port, not through Orleans): one the silo never got, or answered
/// long ago, was lost on its way through Orleans — a gateway that was cut off and came back, say — and is re-sent.
/// </summary>
internal sealed class SiloCalls
{
    /// <summary>How long an answered call is remembered.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(5);

    /// <summary>0 while running; the timestamp of the answer once answered.</summary>
    private readonly ConcurrentDictionary<Guid, long> _calls = new();
    private long _lastSweep = Stopwatch.GetTimestamp();

    public void Started(Guid call)
    {
        if (call != Guid.Empty)
        {
            _calls[call] = 0;
        }
    }

    public void Answered(Guid call)
    {
        if (call != Guid.Empty)
        {
            _calls[call] = Stopwatch.GetTimestamp();
        }

        Sweep();
    }

    /// <summary>Null: never got it (or long forgotten); zero: running; else how long ago it was answered.</summary>
    public TimeSpan? Find(Guid call) =>
        !_calls.TryGetValue(call, out long answered) ? null : answered == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(answered);

    private void Sweep()
    {
        long last = Interlocked.Read(ref _lastSweep);
        if (Stopwatch.GetElapsedTime(last) < Memory || Interlocked.CompareExchange(ref _lastSweep, Stopwatch.GetTimestamp(), last) != last)
        {
            return;
        }

        foreach (KeyValuePair<Guid, long> call in _calls)
        {
            if (call.Value != 0 && Stopwatch.GetElapsedTime(call.Value) > Memory)
            {
                _calls.TryRemove(call.Key, out _);
            }
        }
    }
}
