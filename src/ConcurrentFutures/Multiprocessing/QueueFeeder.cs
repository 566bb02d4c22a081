using System.Collections.Concurrent;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Keeps an unbounded queue's Put from ever blocking: when the shared ring has no room, items wait here, in this
/// process, and a background thread moves them into the ring as consumers make room (Python's queue feeder thread).
/// Later Puts of this process line up behind them, so each producer's order is kept. When the process exits normally
/// it waits (up to <see cref="ExitFlushTimeout"/>) until they are in the ring.
/// </summary>
internal sealed class QueueFeeder
{
    private static readonly TimeSpan ExitFlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a Put waits for room before it leaves the item to the feeder thread.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(2);
    private static readonly ConcurrentDictionary<QueueFeeder, bool> s_busy = new();

    private readonly SharedRing _ring;
    private readonly Lock _lock = new();
    private readonly Queue<(byte[] Payload, int Kind)> _pending = new();
    private TaskCompletionSource _drained = Drained();
    private bool _running;

    static QueueFeeder() => AppDomain.CurrentDomain.ProcessExit += (_, _) => FlushAllAtExit();

    public QueueFeeder(SharedRing ring) => _ring = ring;

    /// <summary>Items of this process not yet in the ring.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Puts the item in the ring if there is room and nothing of this process waits before it — or if both come true
    /// within <see cref="Grace"/> (a consumer that is taking items makes room that fast) — else queues a copy here.
    /// Waiting that little keeps a producer that is faster than its consumer from copying every item.
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue was closed.</exception>
    public unsafe void Put(RingRecord payload, int kind)
    {
        if (TryPutNow(payload, kind, out bool queueEmpty))
        {
            return;
        }

        var grace = Deadline.From(Grace);
        if (!queueEmpty && !Flush(grace.Remaining))
        {
            Enqueue(payload, kind);
            return;
        }

        while (!grace.HasExpired)
        {
            int seen = Volatile.Read(ref _ring.Header->SpaceSeq);
            if (TryPutNow(payload, kind, out queueEmpty))
            {
                return;
            }

            if (!queueEmpty)
            {
                break;
            }

            _ring.AwaitChange(&_ring.Header->SpaceSeq, &_ring.Header->SpaceWaiters, seen, grace);
        }

        Enqueue(payload, kind);
    }

    private bool TryPutNow(RingRecord payload, int kind, out bool queueEmpty)
    {
        lock (_lock)
        {
            queueEmpty = _pending.Count == 0;
            return queueEmpty && _ring.TryPut(payload.Head.Span, payload.Body.Span, kind);
        }
    }

    private void Enqueue(RingRecord payload, int kind)
    {
        lock (_lock)
        {
            if (_pending.Count == 0 && _ring.TryPut(payload.Head.Span, payload.Body.Span, kind))
            {
                return;
            }

            _pending.Enqueue((payload.ToArray(), kind));
            if (_drained.Task.IsCompleted)
            {
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (!_running)
            {
                _running = true;
                s_busy[this] = true;
                new Thread(Feed) { IsBackground = true, Name = "ProcessQueue feeder" }.Start();
            }
        }
    }

    /// <summary>Waits until every queued item is in the ring (or was dropped because the queue closed).</summary>
    public bool Flush(TimeSpan timeout)
    {
        Task drained;
        lock (_lock)
        {
            drained = _drained.Task;
        }

        return drained.Wait(timeout);
    }

    private static TaskCompletionSource Drained()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    private static void FlushAllAtExit()
    {
        foreach (QueueFeeder feeder in s_busy.Keys)
        {
            if (!feeder.Flush(ExitFlushTimeout))
            {
                Console.Error.WriteLine($"ConcurrentFutures: {feeder.Count} item(s) put on queue {feeder._ring.Path} by process {Environment.ProcessId} were not taken within {ExitFlushTimeout.TotalSeconds} s and are lost.");
            }
        }
    }

    private unsafe void Feed()
    {
        try
        {
            using var use = _ring.Use();
            while (true)
            {
                (byte[] Payload, int Kind) next;
                lock (_lock)
                {
                    if (_pending.Count == 0)
                    {
                        Finish();
                        return;
                    }

                    next = _pending.Peek();
                }

                int seen = Volatile.Read(ref _ring.Header->SpaceSeq);
                if (_ring.TryPut(next.Payload, next.Kind))
                {
                    lock (_lock)
                    {
                        _pending.Dequeue();
                    }
                }
                else
                {
                    _ring.AwaitChange(&_ring.Header->SpaceSeq, &_ring.Header->SpaceWaiters, seen, Deadline.Never);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            lock (_lock)
            {
                _pending.Clear(); // the queue was closed: these can no longer be delivered
                Finish();
            }
        }
    }

    /// <summary>Under the lock: this thread ends; a later Put that has to wait starts another.</summary>
    private void Finish()
    {
        _running = false;
        s_busy.TryRemove(this, out _);
        _drained.TrySetResult();
    }
}
