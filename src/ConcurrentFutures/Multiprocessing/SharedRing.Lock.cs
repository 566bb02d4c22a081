using System.Diagnostics;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>The ring's lock (a word holding the holder's pid) and its crash-safe commit.</summary>
internal sealed unsafe partial class SharedRing
{
    /// <summary>How often a process waiting for the lock checks whether its holder is still alive.</summary>
    private static readonly long s_holderCheckTicks = Stopwatch.Frequency / 50;

    /// <summary>Keeps the mapping alive for the duration of one call, even if another thread disposes the ring.</summary>
    /// <exception cref="ObjectDisposedException">The ring was disposed in this process.</exception>
    public MappingUse Use()
    {
        bool added = false;
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(ProcessQueue<>), "The queue was closed in this process.");
        }

        _view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added);
        return new MappingUse(_view.SafeMemoryMappedViewHandle);
    }

    /// <summary>Takes the lock; a holder that died is replaced, and its half-done commit finished from the journal.</summary>
    private bool Lock(Deadline deadline)
    {
        ref int holder = ref _header->LockHolder;
        if (Interlocked.CompareExchange(ref holder, s_pid, 0) != 0 && !LockContended(ref holder, deadline))
        {
            return false;
        }

        if (Volatile.Read(ref _header->JournalValid) != 0)
        {
            ApplyJournal();
        }

        return true;
    }

    private static bool LockContended(ref int holder, Deadline deadline)
    {
        SpinWait spinner = default;
        long nextCheck = Stopwatch.GetTimestamp() + s_holderCheckTicks;
        while (true)
        {
            int current = Volatile.Read(ref holder);
            if (current == 0)
            {
                if (Interlocked.CompareExchange(ref holder, s_pid, 0) == 0)
                {
                    return true;
                }

                continue;
            }

            long now = Stopwatch.GetTimestamp();
            if (now >= nextCheck)
            {
                if (current != s_pid && !NativeMethods.IsRunning(current) && Interlocked.CompareExchange(ref holder, s_pid, current) == current)
                {
                    return true; // the holder died inside the lock
                }

                if (deadline.HasExpired)
                {
                    return false;
                }

                nextCheck = now + s_holderCheckTicks;
            }

            spinner.SpinOnce(sleep1Threshold: -1); // critical sections are a copy: yield, never sleep a whole millisecond
        }
    }

    private void Unlock() => Volatile.Write(ref _header->LockHolder, 0);

    /// <summary>Writes the next state to the journal, marks it valid, applies it, and clears the mark.</summary>
    private void Commit(long head, long tail, int count, int unfinished)
    {
        RingHeader* h = _header;
        h->JournalHead = head;
        h->JournalTail = tail;
        h->JournalCount = count;
        h->JournalUnfinished = unfinished;
        Volatile.Write(ref h->JournalValid, 1);
        ApplyJournal();
    }

    private void ApplyJournal()
    {
        RingHeader* h = _header;
        h->Head = h->JournalHead;
        h->Tail = h->JournalTail;
        h->Count = h->JournalCount;
        h->Unfinished = h->JournalUnfinished;
        Volatile.Write(ref h->JournalValid, 0);
    }

    /// <summary>Releases the mapping reference taken by <see cref="Use"/>.</summary>
    internal readonly struct MappingUse(System.Runtime.InteropServices.SafeHandle handle) : IDisposable
    {
        public void Dispose() => handle.DangerousRelease();
    }
}
