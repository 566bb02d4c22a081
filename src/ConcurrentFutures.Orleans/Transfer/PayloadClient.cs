using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ConcurrentFutures.Processes;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// A client's end of the large-payload channel (<see cref="PayloadProtocol"/>): puts a call's large target or
/// arguments on the silo that will run it, and takes large results back. Keeps idle connections per silo for the next
/// transfer; a connection that failed or was cancelled mid-transfer is closed, never reused. Closes all at disposal.
/// </summary>
internal sealed class PayloadClient(bool sharedMemory) : IDisposable
{
    /// <summary>After a silo's slab could not be reached here (the silo runs elsewhere), how long values to it go over the connection before trying again.</summary>
    private static readonly TimeSpan NotSharedFor = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<PayloadEndpoint, ConcurrentBag<Connection>> _idle = new(ReferenceEqualityComparer.Instance);

    /// <summary>Silos whose slabs were not reachable from here, with when to try again.</summary>
    private readonly ConcurrentDictionary<PayloadEndpoint, long> _notShared = new(ReferenceEqualityComparer.Instance);

    private readonly bool _sharedMemory = sharedMemory && OperatingSystem.IsLinux();
    private long _sharedBytes;
    private volatile bool _disposed;

    /// <summary>Bytes written into or read from silos' slabs on this machine so far (diagnostics for tests).</summary>
    internal long SharedBytes => Interlocked.Read(ref _sharedBytes);

    /// <summary>
    /// A large value moves in pieces of this size, each followed by a yield: on loopback every read and write completes
    /// at once, so without it one pool thread would copy the whole value in one go while other calls' continuations
    /// wait for a free thread.
    /// </summary>
    private const int Piece = 4 * 1024 * 1024;

    /// <summary>
    /// Sends a payload to the silo, which keeps it for the call that names the returned id. On the silo's machine,
    /// written straight into the slab its worker will read (one copy, no socket); else over the connection.
    /// </summary>
    public Task<Guid> PutAsync(PayloadEndpoint endpoint, PayloadBuffer payload, CancellationToken cancellationToken) =>
        ExchangeAsync(endpoint, async connection =>
        {
            Guid id = Guid.NewGuid();
            if (MayShare(endpoint, payload.Length))
            {
                await connection.SendHeaderAsync(PayloadProtocol.PutShared, id, payload.Length, cancellationToken).ConfigureAwait(false);
                if (await connection.ReadStatusAsync(cancellationToken).ConfigureAwait(false) == PayloadProtocol.Named)
                {
                    Named named = await connection.ReadNamedAsync(cancellationToken).ConfigureAwait(false);
                    bool written = await WriteSharedAsync(endpoint, named, payload).ConfigureAwait(false);
                    await connection.SendStatusAsync(written ? PayloadProtocol.Ok : PayloadProtocol.Refused, cancellationToken).ConfigureAwait(false);
                    if (written)
                    {
                        return await connection.ReadStatusAsync(cancellationToken).ConfigureAwait(false) == PayloadProtocol.Ok
                            ? id
                            : throw new IOException($"The silo's payload port {endpoint} refused a payload of {payload.Length:N0} bytes.");
                    }
                }
            }

            await connection.SendHeaderAsync(PayloadProtocol.Put, id, payload.Length, cancellationToken).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in payload.Segments)
            {
                for (int offset = 0; offset < segment.Length; offset += Piece)
                {
                    await connection.Stream.WriteAsync(segment.Slice(offset, Math.Min(Piece, segment.Length - offset)), cancellationToken).ConfigureAwait(false);
                    await Task.Yield(); // see Piece
                }
            }

            if (await connection.ReadStatusAsync(cancellationToken).ConfigureAwait(false) != PayloadProtocol.Ok)
            {
                throw new IOException($"The silo's payload port {endpoint} refused a payload of {payload.Length:N0} bytes.");
            }

            return id;
        }, cancellationToken);

    /// <summary>
    /// Takes the payload (a large result) the silo keeps under <paramref name="id"/>, into a pooled buffer the caller
    /// returns. On the silo's machine, read straight from the slab its worker wrote it into; else over the connection.
    /// </summary>
    public Task<PooledPayload> TakeAsync(PayloadEndpoint endpoint, Guid id, CancellationToken cancellationToken) =>
        ExchangeAsync(endpoint, async connection =>
        {
            await connection.SendHeaderAsync(MayShare(endpoint, SharedMemoryTransport.Threshold) ? PayloadProtocol.TakeShared : PayloadProtocol.Take, id, 0, cancellationToken).ConfigureAwait(false);
            byte status = await connection.ReadStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status == PayloadProtocol.Named)
            {
                Named named = await connection.ReadNamedAsync(cancellationToken).ConfigureAwait(false);
                return await RentFilledAsync(endpoint, named.Length, async into =>
                {
                    bool read = await ReadSharedAsync(endpoint, named, into).ConfigureAwait(false);
                    await connection.SendStatusAsync(read ? PayloadProtocol.Ok : PayloadProtocol.Refused, cancellationToken).ConfigureAwait(false);
                    if (!read)
                    {
                        await ReceiveAsync(connection, into, cancellationToken).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }

            if (status != PayloadProtocol.Ok)
            {
                throw new IOException($"The silo's payload port {endpoint} no longer holds the result {id}.");
            }

            await connection.Stream.ReadExactlyAsync(connection.Buffer.AsMemory(0, 8), cancellationToken).ConfigureAwait(false);
            return await RentFilledAsync(endpoint, BinaryPrimitives.ReadInt64LittleEndian(connection.Buffer), into => ReceiveAsync(connection, into, cancellationToken)).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>A pooled buffer of the announced length, filled by <paramref name="fill"/>; back to the pool if filling fails.</summary>
    private static async Task<PooledPayload> RentFilledAsync(PayloadEndpoint endpoint, long length, Func<Memory<byte>, Task> fill)
    {
        PooledPayload payload = length is < 0 || length > Array.MaxLength
            ? throw new IOException($"The silo's payload port {endpoint} announced a result of {length:N0} bytes.")
            : PooledPayload.Rent((int)length);
        try
        {
            await fill(payload.Memory).ConfigureAwait(false);
        }
        catch
        {
            payload.Return();
            throw;
        }

        return payload;
    }

    private static async Task ReceiveAsync(Connection connection, Memory<byte> into, CancellationToken cancellationToken)
    {
        for (int offset = 0; offset < into.Length; offset += Piece)
        {
            await connection.Stream.ReadExactlyAsync(into.Slice(offset, Math.Min(Piece, into.Length - offset)), cancellationToken).ConfigureAwait(false);
            await Task.Yield(); // see Piece
        }
    }

    /// <summary>Whether a payload of this size to or from this silo may go through its slabs (it may be on this machine).</summary>
    private bool MayShare(PayloadEndpoint endpoint, long length) =>
        _sharedMemory && length >= SharedMemoryTransport.Threshold
        && (!_notShared.TryGetValue(endpoint, out long until) || Stopwatch.GetTimestamp() > until);

    /// <summary>The silo's slab was not reachable from here: the silo runs on another machine (or as another user, or its worker just went).</summary>
    private void NotShared(PayloadEndpoint endpoint) =>
        _notShared[endpoint] = Stopwatch.GetTimestamp() + (long)(NotSharedFor.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Writes the payload into the slab the silo named, if this process can reach it; false if not (then it goes over the connection).</summary>
    private async Task<bool> WriteSharedAsync(PayloadEndpoint endpoint, Named named, PayloadBuffer payload)
    {
        using SafeFileHandle? file = SlabFile.OpenNamed(named.Path, named.Token.Span, payload.Length, FileAccess.ReadWrite);
        if (file is null)
        {
            NotShared(endpoint);
            return false;
        }

        try
        {
            long position = PayloadSlab.HeaderSize;
            foreach (ReadOnlyMemory<byte> segment in payload.Segments)
            {
                for (int offset = 0; offset < segment.Length; offset += Piece)
                {
                    ReadOnlyMemory<byte> piece = segment.Slice(offset, Math.Min(Piece, segment.Length - offset));
                    RandomAccess.Write(file, piece.Span, position);
                    position += piece.Length;
                    await Task.Yield(); // see Piece
                }
            }

            Interlocked.Add(ref _sharedBytes, payload.Length);
            return true;
        }
        catch (IOException)
        {
            return false; // shared memory full, say: this one goes over the connection
        }
    }

    /// <summary>Reads a result from the slab the silo named, if this process can reach it; false if not (then it comes over the connection).</summary>
    private async Task<bool> ReadSharedAsync(PayloadEndpoint endpoint, Named named, Memory<byte> into)
    {
        using SafeFileHandle? file = SlabFile.OpenNamed(named.Path, named.Token.Span, into.Length, FileAccess.Read);
        if (file is null)
        {
            NotShared(endpoint);
            return false;
        }

        try
        {
            for (int offset = 0; offset < into.Length;)
            {
                int read = RandomAccess.Read(file, into.Span.Slice(offset, Math.Min(Piece, into.Length - offset)), PayloadSlab.HeaderSize + offset);
                offset += read > 0 ? read : throw new EndOfStreamException();
                await Task.Yield(); // see Piece
            }

            Interlocked.Add(ref _sharedBytes, into.Length);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Asks the silo to answer at once; throws (or is cancelled) when it does not.</summary>
    public Task PingAsync(PayloadEndpoint endpoint, CancellationToken cancellationToken) =>
        ExchangeAsync(endpoint, async connection =>
        {
            await connection.SendHeaderAsync(PayloadProtocol.Ping, Guid.Empty, 0, cancellationToken).ConfigureAwait(false);
            return await connection.ReadStatusAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Asks the silo whether it has call <paramref name="call"/>: null if it never got it, zero while running it, else how long ago it answered.</summary>
    public Task<TimeSpan?> AskAsync(PayloadEndpoint endpoint, Guid call, CancellationToken cancellationToken) =>
        ExchangeAsync(endpoint, async connection =>
        {
            await connection.SendHeaderAsync(PayloadProtocol.Ask, call, 0, cancellationToken).ConfigureAwait(false);
            await connection.Stream.ReadExactlyAsync(connection.Buffer.AsMemory(0, 9), cancellationToken).ConfigureAwait(false);
            long milliseconds = BinaryPrimitives.ReadInt64LittleEndian(connection.Buffer.AsSpan(1));
            return connection.Buffer[0] switch
            {
                PayloadProtocol.Missing => (TimeSpan?)null,
                PayloadProtocol.Ok => TimeSpan.Zero,
                _ => TimeSpan.FromMilliseconds(Math.Max(1, milliseconds)),
            };
        }, cancellationToken);

    /// <summary>Closes the idle connections to a silo that left the cluster.</summary>
    public void Forget(PayloadEndpoint endpoint)
    {
        if (_idle.TryRemove(endpoint, out ConcurrentBag<Connection>? idle))
        {
            Close(idle);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (ConcurrentBag<Connection> idle in _idle.Values)
        {
            Close(idle);
        }
    }

    private static void Close(ConcurrentBag<Connection> idle)
    {
        while (idle.TryTake(out Connection? connection))
        {
            connection.Dispose();
        }
    }

    private async Task<Connection> RentAsync(PayloadEndpoint endpoint, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryGetValue(endpoint, out ConcurrentBag<Connection>? idle) && idle.TryTake(out Connection? reused))
        {
            return reused;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            PayloadProtocol.Configure(socket);
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
            var connection = new Connection(socket);
            await connection.Stream.WriteAsync(endpoint.Key, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new IOException($"The silo's payload port {endpoint} cannot be reached ({exception.Message}); large values travel there, so clients must reach it (ClusterWorkerOptions.PayloadPort).", exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One request and its answer on a connection to the silo (an idle one, or a new one): returned to the idle ones
    /// after, or closed if anything failed or was cancelled midway — it could hold half a request.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(PayloadEndpoint endpoint, Func<Connection, Task<T>> exchange, CancellationToken cancellationToken)
    {
        Connection connection = await RentAsync(endpoint, cancellationToken).ConfigureAwait(false);
        T result;
        try
        {
            result = await exchange(connection).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Return(endpoint, connection);
        return result;
    }

    private void Return(PayloadEndpoint endpoint, Connection connection)
    {
        if (_disposed)
        {
            connection.Dispose();
            return;
        }

        _idle.GetOrAdd(endpoint, static _ => []).Add(connection);
        if (_disposed && _idle.TryGetValue(endpoint, out ConcurrentBag<Connection>? idle))
        {
            Close(idle); // disposed meanwhile: close what was just returned
        }
    }

    /// <summary>A slab the silo named: the payload's length, the token in the slab's header, the slab's file.</summary>
    private readonly record struct Named(long Length, ReadOnlyMemory<byte> Token, string Path);

    private sealed class Connection(Socket socket) : IDisposable
    {
        public NetworkStream Stream { get; } = new(socket, ownsSocket: true);

        public byte[] Buffer { get; } = new byte[PayloadProtocol.HeaderLength];

        public ValueTask SendHeaderAsync(byte operation, Guid id, long length, CancellationToken cancellationToken)
        {
            PayloadProtocol.WriteHeader(Buffer, operation, id, length);
            return Stream.WriteAsync(Buffer.AsMemory(0, PayloadProtocol.HeaderLength), cancellationToken);
        }

        public async ValueTask<byte> ReadStatusAsync(CancellationToken cancellationToken)
        {
            await Stream.ReadExactlyAsync(Buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
            return Buffer[0];
        }

        public ValueTask SendStatusAsync(byte status, CancellationToken cancellationToken)
        {
            Buffer[0] = status;
            return Stream.WriteAsync(Buffer.AsMemory(0, 1), cancellationToken);
        }

        /// <summary>The rest of the silo's answer naming a slab, after its status (see <see cref="PayloadProtocol.WriteNamed"/>).</summary>
        public async ValueTask<Named> ReadNamedAsync(CancellationToken cancellationToken)
        {
            byte[] fixedPart = new byte[PayloadProtocol.NamedLength - 1];
            await Stream.ReadExactlyAsync(fixedPart, cancellationToken).ConfigureAwait(false);
            byte[] path = new byte[BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(8 + PayloadSlab.TokenLength))];
            await Stream.ReadExactlyAsync(path, cancellationToken).ConfigureAwait(false);
            return new Named(BinaryPrimitives.ReadInt64LittleEndian(fixedPart), fixedPart.AsMemory(8, PayloadSlab.TokenLength), Encoding.UTF8.GetString(path));
        }

        public void Dispose() => Stream.Dispose();
    }
}
