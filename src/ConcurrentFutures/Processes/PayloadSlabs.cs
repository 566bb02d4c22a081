using System.Diagnostics;

namespace ConcurrentFutures.Processes;

/// <summary>
/// The slabs one process writes large payloads into (the pool: arguments; a worker: results), reused once their
/// reader is done with them. Files are named with the pool's prefix and this process's id, so the pool can delete a
/// dead worker's slabs and the janitor everything. Beyond <see cref="MaxTotalBytes"/> (in use or free) a payload gets a
/// one-off file, whose fresh pages cost several times the copy. A free slab unused for <see cref="DefaultIdleLifetime"/>
/// is deleted, so a process keeps the shared memory of its largest payload only while payloads that large keep coming.
/// </summary>
internal sealed class PayloadSlabs : IDisposable
{
    /// <summary>At most this much shared memory is kept in slabs by one process (room for a 1 GB payload).</summary>
    public const long MaxTotalBytes = 1024L * 1024 * 1024;

    /// <summary>A free slab unused this long is deleted.</summary>
    public static readonly TimeSpan DefaultIdleLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Slabs are sized in steps of this, so payloads of similar size share them.</summary>
    private const long Step = 1024 * 1024;

    private readonly string _prefix;
    private readonly long _maxTotalBytes;
    private readonly TimeSpan _idleLifetime;
    private readonly List<PayloadSlab> _slabs = [];
    private Timer? _sweeper;
    private long _totalBytes;
    private long _counter;
    private bool _disposed;

    public PayloadSlabs(string prefix, long maxTotalBytes = MaxTotalBytes, TimeSpan? idleLifetime = null) =>
        (_prefix, _maxTotalBytes, _idleLifetime) = (prefix, maxTotalBytes, idleLifetime ?? DefaultIdleLifetime);

    /// <summary>
    /// Copies <paramref name="payload"/> into a free slab (or a new one) and returns it claimed; null when the cap
    /// is reached and every slab is busy, or after <see cref="Dispose"/>.
    /// </summary>
    public PayloadSlab? TryWrite(ReadOnlySpan<byte> payload)
    {
        PayloadSlab? slab = TryClaim(payload.Length);
        try
        {
            slab?.Write(payload);
            return slab;
        }
        catch (ObjectDisposedException)
        {
            return null; // disposed meanwhile (the pool shut down): the caller falls back, and is refused there
        }
    }

    /// <summary>Unmaps and deletes every slab.</summary>
    public void Dispose()
    {
        lock (_slabs)
        {
            _disposed = true;
            _sweeper?.Dispose();
            _sweeper = null;
            foreach (PayloadSlab slab in _slabs)
            {
                Drop(slab);
            }

            _slabs.Clear();
        }
    }

    /// <summary>Bytes of shared memory in this process's slabs, in use or free.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_slabs)
            {
                return _totalBytes;
            }
        }
    }

    /// <summary>The name of a slab or one-off file written by process <paramref name="pid"/> starts with this.</summary>
    public static string FilePrefix(string poolPrefix, int pid) => $"{poolPrefix}{pid}-";

    /// <summary>
    /// A free slab (or a new one) with room for <paramref name="length"/> bytes, claimed and still to be written; null
    /// when the cap is reached and every slab is busy, or after <see cref="Dispose"/>.
    /// </summary>
    public PayloadSlab? TryClaim(long length)
    {
        lock (_slabs)
        {
            if (_disposed)
            {
                return null;
            }

            PayloadSlab? best = null;
            foreach (PayloadSlab slab in _slabs)
            {
                if (slab.Capacity >= length && slab.Capacity <= LargestFor(length) && (best is null || slab.Capacity < best.Capacity) && slab.IsFree)
                {
                    best = slab;
                }
            }

            // Only this process claims its slabs, and only under this lock: one seen free stays free until claimed.
            if (best is not null && best.TryClaim())
            {
                best.LastUsed = Stopwatch.GetTimestamp();
                return best;
            }

            long capacity = (length + Step - 1) / Step * Step;
            if (_totalBytes + capacity > _maxTotalBytes && !EvictFreeSlab(capacity))
            {
                return null;
            }

            string path = $"{FilePrefix(_prefix, Environment.ProcessId)}s{++_counter}";
            PayloadSlab created;
            try
            {
                created = PayloadSlab.Create(path, capacity);
            }
            catch (IOException)
            {
                return null; // /dev/shm full: the caller's one-off file will report it
            }

            if (!created.TryClaim())
            {
                created.Dispose();
                return null;
            }

            created.LastUsed = Stopwatch.GetTimestamp();
            _slabs.Add(created);
            _totalBytes += capacity;
            _sweeper ??= new Timer(static self => ((PayloadSlabs)self!).DeleteIdle(), this, _idleLifetime, _idleLifetime);
            return created;
        }
    }

    /// <summary>
    /// The largest free slab a payload of <paramref name="length"/> bytes takes; a larger one is left for payloads of
    /// its size (and deleted once idle), and the payload gets a slab of its own. A reader keeps no mapping of a slab
    /// above 64 MB after each read (<see cref="SlabMappings"/>; a worker, until it is idle): a 10 MB value in the 300 MB
    /// slab a previous value left was mapped afresh by the worker on every call, its pages faulted in again (10 MB round
    /// trips through a silo: 24–40 ms after 300 MB ones, 9–15 ms with a slab of their own, with 1 MB GC regions).
    /// </summary>
    internal static long LargestFor(long length) => 2 * length + Step;

    /// <summary>Deletes the free slabs unused for the idle lifetime; the sweeper stops once no slab is left.</summary>
    internal void DeleteIdle()
    {
        lock (_slabs)
        {
            foreach (PayloadSlab slab in _slabs.ToList())
            {
                if (Stopwatch.GetElapsedTime(slab.LastUsed) >= _idleLifetime && slab.IsFree)
                {
                    Delete(slab);
                }
            }

            if (_slabs.Count == 0)
            {
                _sweeper?.Dispose();
                _sweeper = null;
            }
        }
    }

    /// <summary>Deletes free slabs (largest first) until <paramref name="needed"/> more bytes fit under the cap.</summary>
    private bool EvictFreeSlab(long needed)
    {
        foreach (PayloadSlab slab in _slabs.OrderByDescending(s => s.Capacity).ToList())
        {
            if (_totalBytes + needed <= _maxTotalBytes)
            {
                break;
            }

            if (slab.IsFree)
            {
                Delete(slab);
            }
        }

        return _totalBytes + needed <= _maxTotalBytes;
    }

    /// <summary>Deletes a free slab of this process (under the lock) and gives back its share of the cap.</summary>
    private void Delete(PayloadSlab slab)
    {
        _slabs.Remove(slab);
        _totalBytes -= slab.Capacity;
        Drop(slab);
    }

    private static void Drop(PayloadSlab slab)
    {
        slab.Dispose();
        SharedMemoryTransport.Delete(slab.Path);
    }
}
