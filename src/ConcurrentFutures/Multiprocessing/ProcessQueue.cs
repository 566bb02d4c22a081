using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A FIFO queue shared by processes: many producers and consumers, in any process that was given it (as an argument
/// to a <see cref="Process"/>, to pool work, or inside another queue's item). Python: <c>multiprocessing.Queue</c>.
/// </summary>
/// <remarks>
/// The process that creates the queue holds its items; the others reach it through a private socket, so the queue
/// lives as long as its creator. Items are copied (serialized) on <see cref="Put"/>, like Python's pickling.
/// Nothing put is lost or duplicated while the creator lives; a consumer that dies while waiting loses nothing.
/// </remarks>
/// <typeparam name="T">The item type; must be sendable, as work arguments are.</typeparam>
[MessagePack.MessagePackFormatter(typeof(QueueHandleFormatter<>))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name is fixed by the API contract (Python's multiprocessing.Queue).")]
public class ProcessQueue<T> : IDisposable
{
    private readonly QueueBroker? _broker;
    private readonly QueueClient? _client;

    /// <summary>Creates a queue owned by this process.</summary>
    /// <param name="maxSize">Maximum items held; 0 = unbounded. Python: <c>maxsize</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> cannot be sent to another process.</exception>
    public ProcessQueue(int maxSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        if (Sendability.Check(typeof(T)) is { } reason)
        {
            throw new ArgumentException($"Items of type {Sendability.Describe(typeof(T))} cannot be sent to another process: {reason}.");
        }

        _broker = new QueueBroker(maxSize);
        Handle = new QueueHandle(_broker.SocketPath, _broker.Token, maxSize);
        QueueRegistry.Add(Handle.SocketPath, this);
    }

    /// <summary>Opens a queue owned by another process (what deserializing a handle does).</summary>
    private protected ProcessQueue(QueueHandle handle)
    {
        Handle = handle;
        _client = new QueueClient(handle.SocketPath, handle.Token);
    }

    /// <summary>Approximate number of items. Python: <c>qsize()</c>.</summary>
    public int Count => _broker?.Count ?? (int)_client!.Call(QueueMessage.Count, null).Value!;

    internal QueueHandle Handle { get; }

    private protected QueueBroker? Broker => _broker;

    private protected QueueClient? Client => _client;

    /// <summary>Adds an item, waiting while a bounded queue is full. Python: <c>put(item, timeout=)</c>.</summary>
    /// <param name="item">The item (copied).</param>
    /// <param name="timeout">How long to wait for room; null waits forever.</param>
    /// <exception cref="TimeoutException">Still full after <paramref name="timeout"/> (Python: <c>queue.Full</c>).</exception>
    /// <exception cref="ArgumentException">The item's value cannot be sent.</exception>
    /// <exception cref="InvalidOperationException">The queue was closed, or its owner exited.</exception>
    public void Put(T item, TimeSpan? timeout = null)
    {
        byte[] bytes = Serialize(item);
        if (_client is not null && Handle.MaxSize == 0)
        {
            _client.Post(bytes); // an unbounded queue never refuses: no need to wait for the owner's answer
            return;
        }

        bool accepted = _broker is not null
            ? _broker.PutAsync(bytes, Deadline.From(timeout), CancellationToken.None).AsTask().GetAwaiter().GetResult()
            : _client!.Call(QueueMessage.Put, timeout, bytes).Kind == QueueMessage.Ok;
        if (!accepted)
        {
            throw new TimeoutException($"The queue stayed full (maxSize {Handle.MaxSize}) for {timeout}.");
        }
    }

    /// <summary>Removes and returns the oldest item, waiting while the queue is empty. Python: <c>get(timeout=)</c>.</summary>
    /// <param name="timeout">How long to wait for an item; null waits forever.</param>
    /// <returns>The item.</returns>
    /// <exception cref="TimeoutException">Still empty after <paramref name="timeout"/> (Python: <c>queue.Empty</c>).</exception>
    /// <exception cref="InvalidOperationException">The queue was closed, or its owner exited.</exception>
    public T Get(TimeSpan? timeout = null) =>
        TryGet(out T item, timeout ?? Timeout.InfiniteTimeSpan) ? item : throw new TimeoutException($"The queue stayed empty for {timeout}.");

    /// <summary>Takes the oldest item if one arrives within <paramref name="timeout"/>. Python: <c>get_nowait()</c> with a timeout.</summary>
    /// <param name="item">The item, when the call returns true.</param>
    /// <param name="timeout">How long to wait; zero does not wait.</param>
    /// <returns>False when the queue stayed empty.</returns>
    public bool TryGet(out T item, TimeSpan timeout = default)
    {
        byte[]? bytes = _broker is not null
            ? _broker.GetAsync(Deadline.From(timeout), CancellationToken.None).AsTask().GetAwaiter().GetResult()
            : _client!.Call(QueueMessage.Get, timeout).Value as byte[];
        item = bytes is null ? default! : Deserialize(bytes);
        return bytes is not null;
    }

    /// <summary>Async twin of <see cref="Put"/>: waits for room without blocking a thread.</summary>
    /// <param name="item">The item (copied).</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not added.</param>
    /// <returns>A task that completes when the item is in the queue.</returns>
    public async ValueTask PutAsync(T item, CancellationToken cancellationToken = default)
    {
        byte[] bytes = Serialize(item);
        if (_broker is not null)
        {
            await _broker.PutAsync(bytes, Deadline.Never, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Handle.MaxSize == 0)
        {
            _client!.Post(bytes);
            return;
        }

        await _client!.CallAsync(QueueMessage.Put, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Async twin of <see cref="Get"/>: waits for an item without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting; no item is taken then.</param>
    /// <returns>The item.</returns>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        byte[]? bytes = _broker is not null
            ? await _broker.GetAsync(Deadline.Never, cancellationToken).ConfigureAwait(false)
            : (byte[]?)(await _client!.CallAsync(QueueMessage.Get, null, cancellationToken).ConfigureAwait(false)).Value;
        return Deserialize(bytes!);
    }

    /// <summary>
    /// In the creating process: closes the queue (waiting calls fail, other processes lose it). Elsewhere: closes this
    /// process's connection. Python: <c>close()</c>.
    /// </summary>
    public void Close() => Dispose();

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the broker (creator) or the connection (others).</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _broker?.Dispose();
            _client?.Dispose();
            if (_broker is not null)
            {
                QueueRegistry.Remove(Handle.SocketPath);
            }
        }
    }

    /// <summary>Opens the queue a handle names: this process's own object if it owns it, else a connection to the owner.</summary>
    internal static ProcessQueue<T> Open(QueueHandle handle) =>
        QueueRegistry.Find(handle.SocketPath) as ProcessQueue<T>
        ?? (handle.Joinable ? new JoinableProcessQueue<T>(handle) : new ProcessQueue<T>(handle));

    private static byte[] Serialize(T item)
    {
        if (Sendability.CheckValue(typeof(T), item) is { } reason)
        {
            throw new ArgumentException($"The item cannot be sent to another process: {reason}.", nameof(item));
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        var writer = new MessagePack.MessagePackWriter(buffer);
        PayloadSerializer.Write(ref writer, typeof(T), item);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T Deserialize(byte[] bytes) => PayloadSerializer.Read<T>(new System.Buffers.ReadOnlySequence<byte>(bytes));
}
