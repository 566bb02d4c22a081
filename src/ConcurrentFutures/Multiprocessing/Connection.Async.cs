namespace ConcurrentFutures.Multiprocessing;

/// <summary>The async twins of a connection's sends and poll: they wait for room or a message without blocking a thread.</summary>
public sealed partial class Connection
{
    /// <summary>Async twin of <see cref="Send{T}"/>: sends a value (copied), waiting for room without blocking a thread.</summary>
    /// <typeparam name="T">The declared type; the receiver reads the same type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Stops waiting for room; the value is then not sent.</param>
    /// <returns>A task that completes once the value is in the pipe.</returns>
    /// <exception cref="ArgumentException">The value cannot be sent to another process.</exception>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only receives.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public ValueTask SendAsync<T>(T value, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        SharedRing ring = SendRing();
        byte[] payload = RingPayload.Encode(ring, value, nameof(value), out int kind).ToArray(); // this thread's buffer may be reused while the call waits
        return PutAsync(ring, payload, kind, cancellationToken);
    }

    /// <summary>Async twin of <see cref="SendBytes"/>: sends raw bytes as one message, waiting for room without blocking a thread.</summary>
    /// <param name="data">The bytes (copied before the first wait).</param>
    /// <param name="cancellationToken">Stops waiting for room; the message is then not sent.</param>
    /// <returns>A task that completes once the message is in the pipe.</returns>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only receives.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public ValueTask SendBytesAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        SharedRing ring = SendRing();
        if (data.Length <= ring.MaxInline)
        {
            return PutAsync(ring, data.ToArray(), SharedRing.InlineKind, cancellationToken);
        }

        byte[] payload = RingPayload.Place(ring, data.ToArray(), out int kind).ToArray();
        return PutAsync(ring, payload, kind, cancellationToken);
    }

    /// <summary>
    /// Async twin of <see cref="Poll"/>: true when a message (or the end of the stream) can be read, waiting for one at
    /// most <paramref name="timeout"/> without blocking a thread.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until a message comes.</param>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>True if <see cref="ReceiveBytes"/> would not block.</returns>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only sends.</exception>
    public async ValueTask<bool> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SharedRing ring = ReceiveRing();
        var deadline = Deadline.From(timeout);
        using var use = ring.Use();
        while (true)
        {
            int seen = ring.ItemsWatcher.Current;
            if (HasMessage(ring) || WriterGone(ring, checkPid: true))
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                return false;
            }

            await WaitAsync(ring.ItemsWatcher, seen, Slice(deadline).Remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="Put"/>, awaiting room: fails once the receiving end is closed or its process exited.</summary>
    private static async ValueTask PutAsync(SharedRing ring, byte[] payload, int kind, CancellationToken cancellationToken)
    {
        using var use = ring.Use();
        bool slept = false;
        try
        {
            while (true)
            {
                int seen = ring.SpaceWatcher.Current;
                if (ReaderGone(ring, checkPid: slept))
                {
                    throw new EndOfStreamException("The other end of the pipe was closed.");
                }

                if (ring.TryPut(payload, kind))
                {
                    return;
                }

                await WaitAsync(ring.SpaceWatcher, seen, PeerCheckInterval, cancellationToken).ConfigureAwait(false);
                slept = ring.SpaceWatcher.Current == seen;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or EndOfStreamException)
        {
            RingPayload.Discard(payload, kind);
            throw;
        }
    }

    /// <summary>Waits for <paramref name="watcher"/>'s word to move, at most <paramref name="slice"/> (to look at the peer again: a killed process sends no signal).</summary>
    private static async Task WaitAsync(SeqWatcher watcher, int seen, TimeSpan slice, CancellationToken cancellationToken)
    {
        using var sliced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        sliced.CancelAfter(slice);
        try
        {
            await watcher.WaitAsync(seen, sliced.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the slice ended
        }
    }
}
