using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A FIFO queue shared by processes: many producers and consumers, in any process that was given it (as an argument
/// to a <see cref="Process"/>, to pool work, or inside another queue's item). Python: <c>multiprocessing.Queue</c>.
/// </summary>
/// <remarks>
/// Items live in shared memory (a file in /dev/shm that every process using the queue maps), so a Put or Get costs a
/// copy and a lock in that memory, not a message to another process. Items are copied (serialized) on
/// <see cref="Put"/>, like Python's pickling; items over 2 MB travel through a file of their own. A process that dies
/// in the middle of a Put adds nothing, one that dies in the middle of a Get takes nothing: nothing is lost or
/// duplicated except an item a consumer had already taken. An unbounded queue's Put never waits: when the shared
/// memory is full, the item waits in the producing process until there is room (in order with that process's later
/// items), and a process exiting normally waits up to 10 s for such items to be taken.
/// </remarks>
/// <typeparam name="T">The item type; must be sendable, as work arguments are.</typeparam>
[MessagePack.MessagePackFormatter(typeof(QueueHandleFormatter<>))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name is fixed by the API contract (Python's multiprocessing.Queue).")]
[SupportedOSPlatform("linux")]
public class ProcessQueue<T> : IDisposable
{
    private readonly SharedRing _ring;
    private readonly QueueFeeder _feeder;

    /// <summary>Creates a queue owned by this process.</summary>
    /// <param name="maxSize">Maximum items held; 0 = unbounded. Python: <c>maxsize</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> cannot be sent to another process.</exception>
    public ProcessQueue(int maxSize = 0)
        : this(maxSize, joinable: false)
    {
    }

    /// <summary>Creates a queue owned by this process, counting unfinished tasks when <paramref name="joinable"/>.</summary>
    private protected ProcessQueue(int maxSize, bool joinable)
    {
        PlatformSupport.ThrowIfUnsupported(joinable ? "JoinableProcessQueue" : "ProcessQueue");
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        if (Sendability.Check(typeof(T)) is { } reason)
        {
            throw new ArgumentException($"Items of type {Sendability.Describe(typeof(T))} cannot be sent to another process: {reason}.");
        }

        _ring = SharedRing.Create(ProcessSupport.NewSharedMemoryPath(".queue"), maxSize, joinable);
        _feeder = new QueueFeeder(_ring);
        QueueRegistry.Add(_ring.Path, this);
    }

    /// <summary>Opens a queue created by another process (what deserializing a handle does).</summary>
    private protected ProcessQueue(SharedRing ring)
    {
        _ring = ring;
        _feeder = new QueueFeeder(_ring);
    }

    /// <summary>Approximate number of items (including this process's items still waiting for room). Python: <c>qsize()</c>.</summary>
    public unsafe int Count
    {
        get
        {
            using var use = _ring.Use();
            return Volatile.Read(ref _ring.Header->Count) + _feeder.Count;
        }
    }

    internal string Path => _ring.Path;

    internal bool IsJoinable => Ring.Joinable;

    private protected SharedRing Ring => _ring;

    /// <summary>Adds an item, waiting while a bounded queue is full. Python: <c>put(item, timeout=)</c>.</summary>
    /// <param name="item">The item (copied).</param>
    /// <param name="timeout">How long to wait for room; null waits forever.</param>
    /// <exception cref="TimeoutException">Still full after <paramref name="timeout"/> (Python: <c>queue.Full</c>).</exception>
    /// <exception cref="ArgumentException">The item's value cannot be sent.</exception>
    /// <exception cref="InvalidOperationException">The queue was closed by its creator.</exception>
    /// <exception cref="ObjectDisposedException">The queue was closed in this process.</exception>
    public unsafe void Put(T item, TimeSpan? timeout = null)
    {
        var deadline = Deadline.From(timeout);
        using var use = _ring.Use(); // the mapping stays while this call uses it, even if another thread closes the queue
        RingRecord payload = RingPayload.Encode(_ring, item, nameof(item), out int kind);
        if (MaxSize == 0)
        {
            _feeder.Put(payload, kind); // an unbounded queue never refuses
            return;
        }

        while (true)
        {
            int seen = _ring.SpaceWatcher.Current;
            if (_ring.TryPut(payload.Head.Span, payload.Body.Span, kind))
            {
                return;
            }

            if (deadline.HasExpired)
            {
                RingPayload.Discard(payload.Head.Span, kind);
                throw new TimeoutException($"The queue stayed full (maxSize {MaxSize}) for {timeout}.");
            }

            _ring.AwaitChange(&_ring.Header->SpaceSeq, &_ring.Header->SpaceWaiters, seen, deadline);
        }
    }

    /// <summary>Removes and returns the oldest item, waiting while the queue is empty. Python: <c>get(timeout=)</c>.</summary>
    /// <param name="timeout">How long to wait for an item; null waits forever.</param>
    /// <returns>The item.</returns>
    /// <exception cref="TimeoutException">Still empty after <paramref name="timeout"/> (Python: <c>queue.Empty</c>).</exception>
    /// <exception cref="InvalidOperationException">The queue was closed by its creator.</exception>
    /// <exception cref="ObjectDisposedException">The queue was closed in this process.</exception>
    public T Get(TimeSpan? timeout = null) =>
        TryGet(out T item, timeout ?? Timeout.InfiniteTimeSpan) ? item : throw new TimeoutException($"The queue stayed empty for {timeout}.");

    /// <summary>Takes the oldest item if one arrives within <paramref name="timeout"/>. Python: <c>get_nowait()</c> with a timeout.</summary>
    /// <param name="item">The item, when the call returns true.</param>
    /// <param name="timeout">How long to wait; zero does not wait.</param>
    /// <returns>False when the queue stayed empty.</returns>
    public unsafe bool TryGet(out T item, TimeSpan timeout = default)
    {
        var deadline = Deadline.From(timeout);
        using var use = _ring.Use();
        while (true)
        {
            int seen = _ring.ItemsWatcher.Current;
            if (RingPayload.TryTake(_ring, out item))
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                item = default!;
                return false;
            }

            _ring.AwaitChange(&_ring.Header->ItemsSeq, &_ring.Header->ItemsWaiters, seen, deadline);
        }
    }

    /// <summary>Async twin of <see cref="Put"/>: waits for room without blocking a thread.</summary>
    /// <param name="item">The item (copied).</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns>A task that completes when the item is in the queue.</returns>
    public async ValueTask PutAsync(T item, CancellationToken cancellationToken = default)
    {
        using var use = _ring.Use();
        byte[] payload = RingPayload.Encode(_ring, item, nameof(item), out int kind).ToArray(); // this thread's buffer may be reused while this call waits
        if (MaxSize == 0)
        {
            _feeder.Put(new RingRecord(payload), kind);
            return;
        }

        try
        {
            while (true)
            {
                int seen = _ring.SpaceWatcher.Current;
                if (_ring.TryPut(payload, kind))
                {
                    return;
                }

                await _ring.SpaceWatcher.WaitAsync(seen, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            RingPayload.Discard(payload, kind);
            throw;
        }
    }

    /// <summary>Async twin of <see cref="Get"/>: waits for an item without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting; no item is taken then.</param>
    /// <returns>The item.</returns>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        using var use = _ring.Use();
        while (true)
        {
            int seen = _ring.ItemsWatcher.Current;
            if (RingPayload.TryTake(_ring, out T item))
            {
                return item;
            }

            await _ring.ItemsWatcher.WaitAsync(seen, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// In the creating process: closes the queue (waiting calls fail, in every process). Elsewhere: waits up to 10 s
    /// for this process's items to be in the queue, then lets go of it. Python: <c>close()</c>.
    /// </summary>
    public void Close() => Dispose();

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the queue (creator) or lets go of it (others).</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || _ring.IsDisposed)
        {
            return;
        }

        if (_ring.IsOwner)
        {
            QueueRegistry.Remove(_ring.Path);
            _ring.Close();
            Processes.SharedMemoryTransport.Delete(_ring.Path);
            RingPayload.DeleteFiles(_ring);
        }
        else
        {
            _feeder.Flush(TimeSpan.FromSeconds(10));
        }

        _ring.Dispose();
    }

    /// <summary>Opens the queue a path names: this process's own object if it created it, else a new mapping.</summary>
    internal static ProcessQueue<T> Open(string path, bool joinable)
    {
        if (QueueRegistry.Find(path) is ProcessQueue<T> mine)
        {
            return mine;
        }

        SharedRing ring = SharedRing.Open(path);
        return joinable ? new JoinableProcessQueue<T>(ring) : new ProcessQueue<T>(ring);
    }

    private int MaxSize => _ring.MaxSize;
}
