using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ConcurrentFutures.Processes;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// A silo's end of the large-payload channel (<see cref="PayloadProtocol"/>): listens on the payload port, keeps what
/// clients put until their call takes it, and keeps large results until their client takes them. Started at the
/// first use (a client asking for the silo's info), stopped with the silo; it closes every connection it accepted.
/// </summary>
internal sealed class SiloPayloadServer : IDisposable
{
    private static readonly byte[] OkAnswer = [PayloadProtocol.Ok];
    private static readonly byte[] RefusedAnswer = [PayloadProtocol.Refused];
    private static readonly byte[] MissingAnswer = [PayloadProtocol.Missing];

    private readonly ConcurrentDictionary<Guid, Stored> _payloads = new();
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(PayloadProtocol.KeyLength);
    private readonly ILocalSiloDetails _silo;
    private readonly int _port;
    private readonly object _startLock = new();
    private Socket? _listener;
    private PayloadEndpoint? _endpoint;
    private Task? _accepting;
    private long _lastSweep = Stopwatch.GetTimestamp();
    private bool _disposed;

    public SiloPayloadServer(ILocalSiloDetails silo, ClusterWorkerOptions options)
    {
        _silo = silo;
        _port = options.PayloadPort;
    }

    /// <summary>Where clients put and take payloads, with the key that opens a connection; starts listening on first use.</summary>
    public PayloadEndpoint Endpoint
    {
        get
        {
            lock (_startLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return _endpoint ??= Listen();
            }
        }
    }

    /// <summary>The calls this silo got, for the executor's questions about calls in flight (<see cref="PayloadProtocol.Ask"/>).</summary>
    public SiloCalls Calls { get; } = new();

    /// <summary>
    /// Where a large payload a client puts is received when the silo runs work in worker processes: a claimed argument
    /// slab of its pool (null when all are busy); unset, or null, means a pooled array.
    /// </summary>
    public Func<long, PayloadSlab?>? ArgumentSlabs { get; set; }

    /// <summary>Payloads held now (diagnostics for tests).</summary>
    internal int HeldCount => _payloads.Count;

    /// <summary>Keeps a payload (a large result) for its client to take, and returns it to its pool once taken; returns its id.</summary>
    public Guid Keep(RelayedPayload payload)
    {
        Guid id = Guid.NewGuid();
        Hold(id, payload);
        return id;
    }

    /// <summary>Takes the payload a client put for a call (the caller returns it), or throws saying it is gone (expired, or never arrived).</summary>
    public ReceivedPayload Claim(Guid id) =>
        _payloads.TryRemove(id, out Stored stored)
            ? new ReceivedPayload(stored.Payload as PooledPayload, stored.Slab)
            : throw new InvalidOperationException($"Silo {_silo.SiloAddress} no longer holds the payload {id} sent for this call: it is dropped {PayloadProtocol.Lifetime.TotalMinutes:F0} minutes after it arrives if no call takes it.");

    public void Dispose()
    {
        lock (_startLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        _listener?.Dispose();
        foreach (Socket connection in _connections.Keys)
        {
            connection.Dispose();
        }

        try
        {
            _accepting?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener's disposal; nothing more to report at the silo's stop.
        }

        foreach (Guid id in _payloads.Keys)
        {
            Drop(id);
        }

        _stop.Dispose();
    }

    private PayloadEndpoint Listen()
    {
        IPAddress advertised = _silo.SiloAddress.Endpoint.Address;
        IPAddress bind = IPAddress.IsLoopback(advertised) ? advertised
            : advertised.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(bind, _port));
            listener.Listen(64);
        }
        catch (SocketException exception)
        {
            listener.Dispose();
            throw new InvalidOperationException($"Silo {_silo.SiloAddress} cannot listen for large payloads on port {_port}: {exception.Message}. Set ClusterWorkerOptions.PayloadPort to a free port (0: any).", exception);
        }

        _listener = listener;
        _accepting = Task.Run(AcceptLoopAsync);
        return new PayloadEndpoint { Host = advertised.ToString(), Port = ((IPEndPoint)listener.LocalEndPoint!).Port, Key = _key };
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    break;
                }

                continue;
            }

            _connections[connection] = 0;
            _ = ServeAsync(connection);
        }
    }

    /// <summary>Holds a payload; at most every 30 s, drops those kept past their lifetime.</summary>
    private void Hold(Guid id, RelayedPayload? payload, PayloadSlab? slab = null)
    {
        long now = Stopwatch.GetTimestamp();
        _payloads[id] = new Stored(payload, slab, now);
        long last = Interlocked.Read(ref _lastSweep);
        if (Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromSeconds(30) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (KeyValuePair<Guid, Stored> entry in _payloads)
        {
            if (Stopwatch.GetElapsedTime(entry.Value.Since, now) > PayloadProtocol.Lifetime)
            {
                Drop(entry.Key);
            }
        }
    }

    private void Drop(Guid id)
    {
        if (_payloads.TryRemove(id, out Stored stored))
        {
            stored.Payload?.Return();
            stored.Slab?.Release();
        }
    }

    /// <summary>One client connection: the key first, then put and take requests until it closes.</summary>
    private async Task ServeAsync(Socket socket)
    {
        try
        {
            PayloadProtocol.Configure(socket);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            byte[] header = new byte[Math.Max(PayloadProtocol.HeaderLength, PayloadProtocol.KeyLength)];
            await stream.ReadExactlyAsync(header.AsMemory(0, PayloadProtocol.KeyLength), _stop.Token).ConfigureAwait(false);
            if (!CryptographicOperations.FixedTimeEquals(header.AsSpan(0, PayloadProtocol.KeyLength), _key))
            {
                return; // not a client of this silo
            }

            while (!_stop.IsCancellationRequested)
            {
                int read = await stream.ReadAtLeastAsync(header.AsMemory(0, PayloadProtocol.HeaderLength), PayloadProtocol.HeaderLength, throwOnEndOfStream: false, _stop.Token).ConfigureAwait(false);
                if (read < PayloadProtocol.HeaderLength)
                {
                    return; // the client closed the connection
                }

                var (operation, id, length) = PayloadProtocol.ReadHeader(header);
                if (operation == PayloadProtocol.Put)
                {
                    if (length is < 0 or > int.MaxValue || length > Array.MaxLength)
                    {
                        await stream.WriteAsync(RefusedAnswer, _stop.Token).ConfigureAwait(false);
                        return; // the payload that follows cannot be read: end the connection
                    }

                    await ReceiveAsync(stream, id, length).ConfigureAwait(false);
                    await stream.WriteAsync(OkAnswer, _stop.Token).ConfigureAwait(false);
                }
                else if (operation == PayloadProtocol.Ping)
                {
                    await stream.WriteAsync(OkAnswer, _stop.Token).ConfigureAwait(false);
                }
                else if (operation == PayloadProtocol.Ask)
                {
                    await AnswerAskAsync(stream, id).ConfigureAwait(false);
                }
                else if (operation == PayloadProtocol.PutShared)
                {
                    if (length is < 0 or > int.MaxValue || length > Array.MaxLength)
                    {
                        await stream.WriteAsync(RefusedAnswer, _stop.Token).ConfigureAwait(false);
                        return;
                    }

                    await ReceiveSharedAsync(stream, header, id, length).ConfigureAwait(false);
                }
                else if (operation is PayloadProtocol.Take or PayloadProtocol.TakeShared)
                {
                    await SendAsync(stream, header, id, shared: operation == PayloadProtocol.TakeShared).ConfigureAwait(false);
                }
                else
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away mid-request (its call is re-sent elsewhere), or the silo is stopping.
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    /// <summary>
    /// Receives a payload a client puts: straight into an argument slab of the silo's worker pool when it is large and
    /// one is free (through the slab's file: the bytes are never mapped in the silo), else into reused memory (a fresh
    /// array's pages would cost more to fault in than the bytes to copy).
    /// </summary>
    private async Task ReceiveAsync(NetworkStream stream, Guid id, long length)
    {
        if (length >= SharedMemoryTransport.Threshold && ArgumentSlabs?.Invoke(length) is { } slab)
        {
            try
            {
                await SlabFile.FillAsync(slab, stream, length, _stop.Token).ConfigureAwait(false);
            }
            catch
            {
                slab.Release();
                throw;
            }

            Hold(id, payload: null, slab);
            return;
        }

        PooledPayload payload = PooledPayload.Rent((int)length);
        try
        {
            await stream.ReadExactlyAsync(payload.Memory, _stop.Token).ConfigureAwait(false);
        }
        catch
        {
            payload.Return();
            throw;
        }

        Hold(id, payload);
    }

    /// <summary>
    /// A client offers to write a payload straight into an argument slab of the silo's worker pool (it may be on this
    /// machine): the silo names a free slab, and holds it once the client says it wrote it there. Answers
    /// <see cref="PayloadProtocol.Missing"/> when there is no slab for it; when the client cannot reach the slab's file,
    /// the slab is freed. Either way the client puts the payload over the connection next.
    /// </summary>
    private async Task ReceiveSharedAsync(NetworkStream stream, byte[] buffer, Guid id, long length)
    {
        if (length < SharedMemoryTransport.Threshold || ArgumentSlabs?.Invoke(length) is not { } slab)
        {
            await stream.WriteAsync(MissingAnswer, _stop.Token).ConfigureAwait(false);
            return;
        }

        try
        {
            if (!await NameSlabAsync(stream, buffer, length, slab.Path, token => SlabFile.WriteToken(slab.Path, token)).ConfigureAwait(false))
            {
                slab.Release();
                return;
            }

            slab.SetLength(length);
        }
        catch
        {
            slab.Release();
            throw;
        }

        Hold(id, payload: null, slab);
        await stream.WriteAsync(OkAnswer, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Names a slab to a client that may be on this machine: a fresh token written into its header, then its length,
    /// token and path; returns whether the client says it wrote or read the payload there.
    /// </summary>
    private async Task<bool> NameSlabAsync(NetworkStream stream, byte[] buffer, long length, string path, Action<byte[]> writeToken)
    {
        byte[] token = RandomNumberGenerator.GetBytes(PayloadSlab.TokenLength);
        writeToken(token);
        await stream.WriteAsync(PayloadProtocol.WriteNamed(length, token, path), _stop.Token).ConfigureAwait(false);
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 1), _stop.Token).ConfigureAwait(false);
        return buffer[0] == PayloadProtocol.Ok;
    }

    /// <summary>Tells whether this silo has call <paramref name="call"/>: running it, answered it (how long ago), or never got it.</summary>
    private async Task AnswerAskAsync(NetworkStream stream, Guid call)
    {
        byte[] answer = new byte[9];
        TimeSpan? found = Calls.Find(call);
        answer[0] = found is null ? PayloadProtocol.Missing : found == TimeSpan.Zero ? PayloadProtocol.Ok : PayloadProtocol.Answered;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(1), (long)(found ?? TimeSpan.Zero).TotalMilliseconds);
        await stream.WriteAsync(answer, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the payload kept under <paramref name="id"/> (straight from its worker's slab when it is there), and forgets it.
    /// When <paramref name="shared"/> (the client may be on this machine) and the payload is in a worker's slab, names the
    /// slab instead and waits until the client has read it from there, or sends it if the client cannot.
    /// </summary>
    private async Task SendAsync(NetworkStream stream, byte[] buffer, Guid id, bool shared)
    {
        byte[] answer = ArrayPool<byte>.Shared.Rent(9);
        try
        {
            if (!_payloads.TryRemove(id, out Stored stored) || stored.Payload is not { } payload)
            {
                answer[0] = PayloadProtocol.Missing;
                await stream.WriteAsync(answer.AsMemory(0, 1), _stop.Token).ConfigureAwait(false);
                return;
            }

            try
            {
                if (shared && payload is SlabResult slab)
                {
                    if (!await NameSlabAsync(stream, buffer, slab.Length, slab.Path, token => slab.WriteToken(token)).ConfigureAwait(false))
                    {
                        await payload.SendAsync(stream.Socket, _stop.Token).ConfigureAwait(false); // the client is elsewhere
                    }

                    return;
                }

                answer[0] = PayloadProtocol.Ok;
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(1), payload.Length);
                await stream.WriteAsync(answer.AsMemory(0, 9), _stop.Token).ConfigureAwait(false);
                await payload.SendAsync(stream.Socket, _stop.Token).ConfigureAwait(false);
            }
            finally
            {
                payload.Return();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(answer);
        }
    }

    /// <summary>A payload held: a result or a pooled put (<paramref name="Payload"/>), or a put received into a slab.</summary>
    private readonly record struct Stored(RelayedPayload? Payload, PayloadSlab? Slab, long Since);
}
