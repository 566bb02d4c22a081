using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// A client's end of the large-payload channel (<see cref="PayloadProtocol"/>): puts a call's large target or
/// arguments on the silo that will run it, and takes large results back. Keeps idle connections per silo for the next
/// transfer; a connection that failed or was cancelled mid-transfer is closed, never reused. Closes all at disposal.
/// </summary>
internal sealed class PayloadClient : IDisposable
{
    private readonly ConcurrentDictionary<PayloadEndpoint, ConcurrentBag<Connection>> _idle = new(ReferenceEqualityComparer.Instance);
    private volatile bool _disposed;

    /// <summary>
    /// A large value moves in pieces of this size, each followed by a yield: on loopback every read and write completes
    /// at once, so without it one pool thread would copy the whole value in one go while other calls' continuations
    /// wait for a free thread.
    /// </summary>
    private const int Piece = 4 * 1024 * 1024;

    /// <summary>Sends a payload to the silo, which keeps it for the call that names the returned id.</summary>
    public Task<Guid> PutAsync(PayloadEndpoint endpoint, PayloadBuffer payload, CancellationToken cancellationToken) =>
        ExchangeAsync(endpoint, async connection =>
        {
            Guid id = Guid.NewGuid();
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

    /// <summary>Takes the payload (a large result) the silo keeps under <paramref name="id"/>, into a pooled buffer the caller returns.</summary>
    public Task<PooledPayload> TakeAsync(PayloadEndpoint endpoint, Guid id, CancellationToken cancellationToken) =>
        ExchangeAsync(endpoint, async connection =>
        {
            await connection.SendHeaderAsync(PayloadProtocol.Take, id, 0, cancellationToken).ConfigureAwait(false);
            if (await connection.ReadStatusAsync(cancellationToken).ConfigureAwait(false) != PayloadProtocol.Ok)
            {
                throw new IOException($"The silo's payload port {endpoint} no longer holds the result {id}.");
            }

            await connection.Stream.ReadExactlyAsync(connection.Buffer.AsMemory(0, 8), cancellationToken).ConfigureAwait(false);
            long length = BinaryPrimitives.ReadInt64LittleEndian(connection.Buffer);
            if (length is < 0 || length > Array.MaxLength)
            {
                throw new IOException($"The silo's payload port {endpoint} announced a result of {length:N0} bytes.");
            }

            PooledPayload payload = PooledPayload.Rent((int)length);
            try
            {
                for (int offset = 0; offset < payload.Memory.Length; offset += Piece)
                {
                    await connection.Stream.ReadExactlyAsync(payload.Memory.Slice(offset, Math.Min(Piece, payload.Memory.Length - offset)), cancellationToken).ConfigureAwait(false);
                    await Task.Yield(); // see Piece
                }
            }
            catch
            {
                payload.Return();
                throw;
            }

            return payload;
        }, cancellationToken);

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

        public void Dispose() => Stream.Dispose();
    }
}
