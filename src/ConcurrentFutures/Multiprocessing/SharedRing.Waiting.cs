using System.Diagnostics;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>How a caller waits for the ring to change: a short spin (another core is often about to answer), then sleep.</summary>
internal sealed unsafe partial class SharedRing
{
    /// <summary>How long a waiter spins before it sleeps: about a round trip through another process on an idle core.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 20_000;

    /// <summary>Longest single sleep; the caller re-checks the queue after each.</summary>
    private const int MaxSleepMilliseconds = 1000;

    /// <summary>Returns once <paramref name="seq"/> differs from <paramref name="seen"/>, a sleep ended, or the deadline passed.</summary>
    public void AwaitChange(int* seq, int* waiters, int seen, Deadline deadline)
    {
        using var use = Use();
        long spinUntil = Stopwatch.GetTimestamp() + s_spinTicks;
        SpinWait spinner = default;
        while (Volatile.Read(ref *seq) == seen && Stopwatch.GetTimestamp() < spinUntil)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (Volatile.Read(ref *seq) != seen || deadline.HasExpired)
        {
            return;
        }

        // Registering before the last check means a Put that lands after it sees a sleeper and wakes it.
        Interlocked.Increment(ref *waiters);
        try
        {
            int milliseconds = deadline.IsInfinite ? MaxSleepMilliseconds : Math.Min(deadline.RemainingMilliseconds, MaxSleepMilliseconds);
            if (Volatile.Read(ref _disposed) == 0)
            {
                Futex.Wait(seq, seen, milliseconds);
            }
        }
        finally
        {
            Interlocked.Decrement(ref *waiters);
        }
    }

    /// <summary>Waits until every task put on a joinable queue was marked done.</summary>
    /// <exception cref="InvalidOperationException">The queue was closed.</exception>
    public bool WaitAllDone(Deadline deadline)
    {
        using var use = Use();
        while (true)
        {
            int seen = Volatile.Read(ref _header->DoneSeq);
            ThrowIfClosed();
            if (Unfinished == 0)
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                return false;
            }

            AwaitChange(&_header->DoneSeq, &_header->DoneWaiters, seen, deadline);
        }
    }

    /// <summary>Items put on a joinable queue and not yet marked done.</summary>
    public int Unfinished => Volatile.Read(ref _header->Unfinished);
}
