using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Processes.Wire;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Joins the two ends of a pipe, wherever they are used: each end connects to this relay (in the process that
/// created the pipe) with the pipe's token and its side, and once both are there the relay copies bytes both ways.
/// When one end closes, the other sees the end of the stream.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The listener closes once both ends joined; an unjoined pipe lives until this process exits, which removes its directory.")]
internal sealed class PipeRelay
{
    private readonly Socket _listener;
    private readonly Socket?[] _ends = new Socket?[2];
    private readonly Lock _lock = new();

    public PipeRelay()
    {
        Token = RandomNumberGenerator.GetBytes(16);
        _listener = ProcessSupport.Listen(".pipe", backlog: 4, out string socketPath);
        SocketPath = socketPath;
        _ = UnixListener.AcceptAllAsync(_listener, AdmitAsync, CancellationToken.None);
    }

    public string SocketPath { get; }

    public byte[] Token { get; }

    private async Task AdmitAsync(Socket connection)
    {
        int side = -1;
        try
        {
            // Read exactly the hello: the bytes behind it are the first message, which the pump must forward.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            byte[] prefix = new byte[4];
            await ReadExactlyAsync(connection, prefix, 4, timeout.Token).ConfigureAwait(false);
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(prefix);
            if (length is > 0 and <= 64)
            {
                byte[] hello = new byte[length];
                await ReadExactlyAsync(connection, hello, length, timeout.Token).ConfigureAwait(false);
                side = ReadHello(hello);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or InvalidDataException or MessagePackSerializationException)
        {
        }

        Socket? other = null;
        lock (_lock)
        {
            if (side is not (0 or 1) || _ends[side] is not null)
            {
                side = -1; // bad token, or that end is already in use
            }
            else
            {
                _ends[side] = connection;
                other = _ends[1 - side];
            }
        }

        if (side < 0)
        {
            connection.Dispose();
            return;
        }

        if (other is not null)
        {
            _ = PumpAsync(connection, other);
            _ = PumpAsync(other, connection);
            _listener.Dispose(); // both ends are here: no one else may join
            File.Delete(SocketPath);
        }
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < count)
        {
            int got = await socket.ReceiveAsync(buffer.AsMemory(read, count - read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (got == 0)
            {
                throw new InvalidDataException("The connection closed during the hello.");
            }

            read += got;
        }
    }

    private int ReadHello(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        if (reader.ReadArrayHeader() != 2 || reader.ReadBytes() is not { } token || !CryptographicOperations.FixedTimeEquals(token.ToArray(), Token))
        {
            return -1;
        }

        return reader.ReadInt32();
    }

    /// <summary>Copies bytes from one end to the other until the source closes, then closes the destination's input.</summary>
    private static async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false)) > 0)
            {
                ReadOnlyMemory<byte> pending = buffer.AsMemory(0, read);
                while (!pending.IsEmpty)
                {
                    pending = pending[await to.SendAsync(pending, SocketFlags.None).ConfigureAwait(false)..];
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            try
            {
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception inner) when (inner is SocketException or ObjectDisposedException)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
