using System.Net.Sockets;
using System.Security.Cryptography;
using ConcurrentFutures.Processes.Wire;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Holds a queue's items in the process that created it, under one lock, and serves other processes over a private
/// Unix domain socket (token-checked). Items are kept serialized, so every consumer gets a copy. A consumer that
/// dies while waiting holds nothing, so nothing is lost; items are handed out only to a live request.
/// </summary>
internal sealed class QueueBroker : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<byte[]> _items = new();
    private readonly LinkedList<Waiter> _getters = new();
    private readonly LinkedList<Waiter> _putters = new();
    private readonly List<TaskCompletionSource> _joiners = [];
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private int _unfinished;
    private bool _closed;

    public QueueBroker(int maxSize)
    {
        MaxSize = maxSize;
        Token = RandomNumberGenerator.GetBytes(16);
        _listener = ProcessSupport.Listen(".queue", backlog: 64, out string socketPath);
        SocketPath = socketPath;
        _ = Processes.UnixListener.AcceptAllAsync(_listener, connection => new QueueSession(this, connection).RunAsync(_stopping.Token), _stopping.Token);
    }

    public int MaxSize { get; }

    public string SocketPath { get; }

    public byte[] Token { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds an item, waiting while the queue is full; false when the deadline passed first.</summary>
    public async ValueTask<bool> PutAsync(byte[] item, Deadline deadline, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        lock (_lock)
        {
            ThrowIfClosed();
            if (!IsFullLocked())
            {
                AddLocked(item);
                return true;
            }

            waiter = new Waiter(item);
            waiter.Node = _putters.AddLast(waiter);
        }

        return await WaitAsync(waiter, _putters, deadline, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Takes an item, waiting while the queue is empty; null when the deadline passed first.</summary>
    public async ValueTask<byte[]?> GetAsync(Deadline deadline, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_items.Count > 0)
            {
                return TakeLocked();
            }

            ThrowIfClosed();
            waiter = new Waiter(null);
            waiter.Node = _getters.AddLast(waiter);
        }

        return await WaitAsync(waiter, _getters, deadline, cancellationToken).ConfigureAwait(false);
    }

    public void TaskDone()
    {
        lock (_lock)
        {
            if (_unfinished == 0)
            {
                throw new InvalidOperationException("TaskDone() called more times than there were items put.");
            }

            if (--_unfinished == 0)
            {
                _joiners.ForEach(j => j.TrySetResult());
                _joiners.Clear();
            }
        }
    }

    public Task JoinAsync()
    {
        lock (_lock)
        {
            if (_unfinished == 0)
            {
                return Task.CompletedTask;
            }

            var joiner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _joiners.Add(joiner);
            return joiner.Task;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (Waiter waiter in _getters.Concat(_putters))
            {
                waiter.Done.TrySetException(new InvalidOperationException("The queue was closed."));
            }

            _getters.Clear();
            _putters.Clear();
        }

        _stopping.Cancel();
        _listener.Dispose();
        File.Delete(SocketPath);
    }

    private bool IsFullLocked() => MaxSize > 0 && _items.Count >= MaxSize;

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The queue was closed.");
        }
    }

    /// <summary>Adds an item: straight to a waiting getter if there is one, else to the queue.</summary>
    private void AddLocked(byte[] item)
    {
        _unfinished++;
        while (_getters.First is { } node)
        {
            _getters.RemoveFirst();
            if (node.Value.Done.TrySetResult(item))
            {
                return;
            }
        }

        _items.AddLast(item);
    }

    /// <summary>Puts back an item whose consumer could not receive it, ahead of everything else.</summary>
    public void ReturnToFront(byte[] item)
    {
        lock (_lock)
        {
            _unfinished--; // AddLocked counts it again
            if (_getters.Count > 0)
            {
                AddLocked(item);
                return;
            }

            _unfinished++;
            _items.AddFirst(item);
        }
    }

    /// <summary>Takes the oldest item and lets the oldest waiting putter in.</summary>
    private byte[] TakeLocked()
    {
        byte[] item = _items.First!.Value;
        _items.RemoveFirst();
        while (_putters.First is { } node && !IsFullLocked())
        {
            _putters.RemoveFirst();
            if (node.Value.Done.TrySetResult(node.Value.Item))
            {
                AddLocked(node.Value.Item!);
            }
        }

        return item;
    }

    private async ValueTask<byte[]?> WaitAsync(Waiter waiter, LinkedList<Waiter> list, Deadline deadline, CancellationToken cancellationToken)
    {
        Task<byte[]?> done = waiter.Done.Task;
        try
        {
            await done.WaitAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                // Whoever completes the waiter removes it under this lock; if nobody did, withdraw it.
                if (waiter.Done.TrySetCanceled(cancellationToken))
                {
                    list.Remove(waiter.Node!);
                    if (e is TimeoutException)
                    {
                        return null;
                    }

                    throw;
                }
            }
        }

        return await done.ConfigureAwait(false);
    }

    /// <summary>A pending Get (Item null) or Put (Item set); completed with the item taken or the item accepted.</summary>
    private sealed class Waiter(byte[]? item)
    {
        public byte[]? Item { get; } = item;

        public TaskCompletionSource<byte[]?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
