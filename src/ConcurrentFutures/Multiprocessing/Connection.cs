using System.Buffers;
using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Remote;
using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// One end of a <see cref="Pipe"/>: sends and receives whole messages. Python: <c>multiprocessing.connection.Connection</c>.
/// Each end is used by one process: the first process to send or receive on it. When that process closes the end
/// or exits, the other end's receives end with <see cref="EndOfStreamException"/> once the messages already sent
/// are read.
/// </summary>
[MessagePackFormatter(typeof(ConnectionFormatter))]
[SupportedOSPlatform("linux")]
public sealed partial class Connection : IDisposable
{
    /// <summary>Longest sleep before checking again whether the other end is still there.</summary>
    private static readonly TimeSpan PeerCheckInterval = TimeSpan.FromMilliseconds(100);

    private static readonly long PeerCheckTicks = (long)(PeerCheckInterval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    private static readonly int s_pid = Environment.ProcessId;

    private readonly SharedRing? _receive;
    private readonly SharedRing? _send;
    private int _attached;
    private long _nextPeerCheck;

    internal Connection(ConnectionHandle handle)
    {
        Handle = handle;
        _receive = CanReceive ? SharedRing.Open(ConnectionHandle.RingPath(handle.BasePath, handle.Side)) : null;
        _send = CanSend ? SharedRing.Open(ConnectionHandle.RingPath(handle.BasePath, 1 - handle.Side)) : null;
    }

    internal ConnectionHandle Handle { get; }

    private bool CanSend => Handle.Duplex || Handle.Side == 1;

    private bool CanReceive => Handle.Duplex || Handle.Side == 0;

    /// <summary>Sends a value (copied). Python: <c>send(obj)</c>.</summary>
    /// <typeparam name="T">The declared type; the receiver reads the same type.</typeparam>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The value cannot be sent to another process.</exception>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only receives.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public void Send<T>(T value)
    {
        SharedRing ring = SendRing();
        RingRecord payload = RingPayload.Encode(ring, value, nameof(value), out int kind);
        Put(ring, payload.Head.Span, payload.Body.Span, kind);
    }

    /// <summary>Receives a value sent with <see cref="Send{T}"/>, waiting for one. Python: <c>recv()</c>.</summary>
    /// <typeparam name="T">The type the sender declared.</typeparam>
    /// <returns>The value.</returns>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public T Receive<T>() => Take(PayloadSerializer.Read<T>, RingPayload.DirectReader<T>());

    /// <summary>Async twin of <see cref="Receive{T}"/>: waits for a value without blocking a thread.</summary>
    /// <typeparam name="T">The type the sender declared.</typeparam>
    /// <param name="cancellationToken">Stops waiting; nothing is taken then.</param>
    /// <returns>The value.</returns>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public ValueTask<T> ReceiveAsync<T>(CancellationToken cancellationToken = default) => TakeAsync(PayloadSerializer.Read<T>, RingPayload.DirectReader<T>(), cancellationToken);

    /// <summary>Async twin of <see cref="ReceiveBytes"/>.</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is taken then.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public ValueTask<byte[]> ReceiveBytesAsync(CancellationToken cancellationToken = default) => TakeAsync(static bytes => bytes.ToArray(), RingPayload.RawBytes, cancellationToken);

    /// <summary>Sends raw bytes as one message. Python: <c>send_bytes()</c>.</summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only receives.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public void SendBytes(ReadOnlySpan<byte> data)
    {
        SharedRing ring = SendRing();
        if (data.Length <= ring.MaxInline)
        {
            Put(ring, data, [], SharedRing.InlineKind);
            return;
        }

        ReadOnlyMemory<byte> payload = RingPayload.Place(ring, data.ToArray(), out int kind);
        Put(ring, payload.Span, [], kind);
    }

    /// <summary>Receives one message's bytes, waiting for one. Python: <c>recv_bytes()</c>.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only sends.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public byte[] ReceiveBytes() => Take(static bytes => bytes.ToArray(), RingPayload.RawBytes);

    /// <summary>True when a message (or the end of the stream) can be read without waiting longer than <paramref name="timeout"/>. Python: <c>poll(timeout)</c>.</summary>
    /// <param name="timeout">How long to wait; zero checks without waiting.</param>
    /// <returns>True if <see cref="ReceiveBytes"/> would not block.</returns>
    public unsafe bool Poll(TimeSpan timeout = default)
    {
        SharedRing ring = ReceiveRing();
        var deadline = Deadline.From(timeout);
        using var use = ring.Use();
        while (true)
        {
            int seen = Volatile.Read(ref ring.Header->ItemsSeq);
            if (HasMessage(ring) || WriterGone(ring, checkPid: true))
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                return false;
            }

            ring.AwaitChange(&ring.Header->ItemsSeq, &ring.Header->ItemsWaiters, seen, Slice(deadline));
        }
    }

    /// <summary>Closes this end; the other end's receives then end with <see cref="EndOfStreamException"/>. Python: <c>close()</c>.</summary>
    public unsafe void Dispose()
    {
        if (Volatile.Read(ref _attached) == 1 && Interlocked.Exchange(ref _attached, 2) == 1)
        {
            if (_receive is { IsDisposed: false } receive)
            {
                using var use = receive.Use();
                Volatile.Write(ref receive.Header->ReaderClosed, 1);
                SharedRing.Signal(&receive.Header->SpaceSeq, &receive.Header->SpaceWaiters, always: true);
            }

            if (_send is { IsDisposed: false } send)
            {
                using var use = send.Use();
                Volatile.Write(ref send.Header->WriterClosed, 1);
                SharedRing.Signal(&send.Header->ItemsSeq, &send.Header->ItemsWaiters, always: true);
            }
        }

        _receive?.Dispose();
        _send?.Dispose();
    }

    private static Deadline Slice(Deadline deadline) =>
        deadline.IsInfinite || deadline.Remaining > PeerCheckInterval ? Deadline.From(PeerCheckInterval) : deadline;

    /// <summary>True once the other end was closed, or the process using it (<paramref name="pid"/>, 0 = do not check) exited.</summary>
    private static bool PeerGone(int closed, int pid) =>
        closed != 0 || (pid != 0 && pid != s_pid && !NativeMethods.IsRunning(pid));

    /// <summary>
    /// Sends one record; like a write to a pipe whose reader is gone (Python: BrokenPipeError), it fails once the
    /// receiving process has closed its end, or has exited (checked at most every <see cref="PeerCheckInterval"/>).
    /// </summary>
    private unsafe void Put(SharedRing ring, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, int kind)
    {
        using var use = ring.Use();
        while (true)
        {
            int seen = Volatile.Read(ref ring.Header->SpaceSeq);
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            bool checkPid = now >= _nextPeerCheck;
            if (checkPid)
            {
                _nextPeerCheck = now + PeerCheckTicks;
            }

            if (ReaderGone(ring, checkPid))
            {
                RingPayload.Discard(head, kind);
                throw new EndOfStreamException("The other end of the pipe was closed.");
            }

            if (ring.TryPut(head, body, kind))
            {
                return;
            }

            ring.AwaitChange(&ring.Header->SpaceSeq, &ring.Header->SpaceWaiters, seen, Deadline.From(PeerCheckInterval));
        }
    }

    private unsafe T Take<T>(Func<ReadOnlySequence<byte>, T> read, DirectRead<T>? direct)
    {
        SharedRing ring = ReceiveRing();
        using var use = ring.Use();
        bool slept = false;
        while (true)
        {
            int seen = Volatile.Read(ref ring.Header->ItemsSeq);
            if (RingPayload.TryTake(ring, read, direct, out T value))
            {
                return value;
            }

            if (WriterGone(ring, checkPid: slept))
            {
                throw new EndOfStreamException("The other end of the pipe was closed.");
            }

            ring.AwaitChange(&ring.Header->ItemsSeq, &ring.Header->ItemsWaiters, seen, Deadline.From(PeerCheckInterval));
            slept = Volatile.Read(ref ring.Header->ItemsSeq) == seen;
        }
    }

    private async ValueTask<T> TakeAsync<T>(Func<ReadOnlySequence<byte>, T> read, DirectRead<T>? direct, CancellationToken cancellationToken)
    {
        SharedRing ring = ReceiveRing();
        using var use = ring.Use();
        bool slept = false;
        while (true)
        {
            int seen = ring.ItemsWatcher.Current;
            if (RingPayload.TryTake(ring, read, direct, out T value))
            {
                return value;
            }

            if (WriterGone(ring, checkPid: slept))
            {
                throw new EndOfStreamException("The other end of the pipe was closed.");
            }

            // Wake on a message, or after a while to look at the writer again (a killed writer sends no signal).
            await WaitAsync(ring.ItemsWatcher, seen, PeerCheckInterval, cancellationToken).ConfigureAwait(false);
            slept = ring.ItemsWatcher.Current == seen;
        }
    }

    /// <summary>
    /// True once the writer closed its end, or, with <paramref name="checkPid"/>, once its process is gone: that
    /// check reads /proc, so receives make it only after a wait in which nothing arrived.
    /// </summary>
    private static unsafe bool WriterGone(SharedRing ring, bool checkPid) =>
        PeerGone(ring.Header->WriterClosed, checkPid ? ring.Header->WriterPid : 0);

    /// <summary>As <see cref="WriterGone"/>, for the process reading what this end sends.</summary>
    private static unsafe bool ReaderGone(SharedRing ring, bool checkPid) =>
        PeerGone(ring.Header->ReaderClosed, checkPid ? ring.Header->ReaderPid : 0);

    private static unsafe bool HasMessage(SharedRing ring) => Volatile.Read(ref ring.Header->Count) > 0;

    private SharedRing SendRing()
    {
        SharedRing ring = _send ?? throw new InvalidOperationException("This end of a one-way pipe (duplex: false) only receives.");
        Attach();
        return ring;
    }

    private SharedRing ReceiveRing()
    {
        SharedRing ring = _receive ?? throw new InvalidOperationException("This end of a one-way pipe (duplex: false) only sends.");
        Attach();
        return ring;
    }

    /// <summary>On first use: records this process as the user of this end; once both ends are in use the files go.</summary>
    private unsafe void Attach()
    {
        if (Volatile.Read(ref _attached) != 0)
        {
            ObjectDisposedException.ThrowIf(_attached == 2 || (_receive ?? _send)!.IsDisposed, this);
            return;
        }

        ObjectDisposedException.ThrowIf((_receive ?? _send)!.IsDisposed, this);
        if (Interlocked.CompareExchange(ref _attached, 1, 0) != 0)
        {
            return;
        }

        foreach ((SharedRing? ring, bool reader) in new[] { (_receive, true), (_send, false) })
        {
            if (ring is not null)
            {
                using var use = ring.Use();
                Volatile.Write(ref reader ? ref ring.Header->ReaderPid : ref ring.Header->WriterPid, s_pid);
                if (Volatile.Read(ref ring.Header->ReaderPid) != 0 && Volatile.Read(ref ring.Header->WriterPid) != 0)
                {
                    Processes.SharedMemoryTransport.Delete(ring.Path); // both ends are mapped: nobody needs the name
                }
            }
        }
    }
}

/// <summary>An end of a pipe crosses processes as its handle.</summary>
[SupportedOSPlatform("linux")]
internal sealed class ConnectionFormatter : IMessagePackFormatter<Connection?>
{
    public void Serialize(ref MessagePackWriter writer, Connection? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(3);
        writer.Write(value.Handle.BasePath);
        writer.Write(value.Handle.Side);
        writer.Write(value.Handle.Duplex);
    }

    public Connection? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.ReadArrayHeader() != 3 || reader.ReadString() is not { } path
            || !path.StartsWith(Processes.SharedMemoryTransport.Directory, StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal)
            || reader.ReadInt32() is var side && side is not (0 or 1))
        {
            throw new MessagePackSerializationException("Malformed pipe handle.");
        }

        return new Connection(new ConnectionHandle(path, side, reader.ReadBoolean()));
    }
}
