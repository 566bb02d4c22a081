using System.Buffers;
using System.Net.Sockets;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// One end of a <see cref="Pipe"/>: sends and receives whole messages. Python: <c>multiprocessing.connection.Connection</c>.
/// It connects on first use, in whichever process uses it; each end is used by one process.
/// </summary>
[MessagePackFormatter(typeof(ConnectionFormatter))]
public sealed class Connection : IDisposable
{
    private readonly Lock _sendLock = new();
    private readonly Lock _receiveLock = new();
    private readonly FrameBuffer _output = new(1024);
    private Socket? _socket;
    private FrameReader? _reader;
    private bool _disposed;

    internal Connection(ConnectionHandle handle) => Handle = handle;

    internal ConnectionHandle Handle { get; }

    private bool CanSend => Handle.Duplex || Handle.Side == 1;

    private bool CanReceive => Handle.Duplex || Handle.Side == 0;

    /// <summary>Sends a value (copied). Python: <c>send(obj)</c>.</summary>
    /// <typeparam name="T">The declared type; the receiver reads the same type.</typeparam>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The value cannot be sent to another process.</exception>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only receives.</exception>
    public void Send<T>(T value)
    {
        if (Sendability.CheckValue(typeof(T), value) is { } reason)
        {
            throw new ArgumentException($"The value cannot be sent to another process: {reason}.", nameof(value));
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        PayloadSerializer.Write(ref writer, typeof(T), value);
        writer.Flush();
        SendBytes(buffer.WrittenSpan);
    }

    /// <summary>Receives a value sent with <see cref="Send{T}"/>, waiting for one. Python: <c>recv()</c>.</summary>
    /// <typeparam name="T">The type the sender declared.</typeparam>
    /// <returns>The value.</returns>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public T Receive<T>() => PayloadSerializer.Read<T>(new ReadOnlySequence<byte>(ReceiveBytes()));

    /// <summary>Sends raw bytes as one message. Python: <c>send_bytes()</c>.</summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only receives.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public void SendBytes(ReadOnlySpan<byte> data)
    {
        if (!CanSend)
        {
            throw new InvalidOperationException("This end of a one-way pipe (duplex: false) only receives.");
        }

        lock (_sendLock)
        {
            Socket socket = Connect();
            _output.Clear();
            _output.BeginFrame();
            data.CopyTo(_output.GetSpan(data.Length));
            _output.Advance(data.Length);
            _output.EndFrame();
            ReadOnlySpan<byte> pending = _output.Written.Span;
            try
            {
                while (!pending.IsEmpty)
                {
                    pending = pending[socket.Send(pending, SocketFlags.None)..];
                }
            }
            catch (SocketException exception)
            {
                throw new EndOfStreamException("The other end of the pipe was closed.", exception);
            }
        }
    }

    /// <summary>Receives one message's bytes, waiting for one. Python: <c>recv_bytes()</c>.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only sends.</exception>
    /// <exception cref="EndOfStreamException">The other end was closed.</exception>
    public byte[] ReceiveBytes()
    {
        if (!CanReceive)
        {
            throw new InvalidOperationException("This end of a one-way pipe (duplex: false) only sends.");
        }

        lock (_receiveLock)
        {
            Connect();
            try
            {
                return _reader!.ReadFrame()?.ToArray() ?? throw new EndOfStreamException("The other end of the pipe was closed.");
            }
            catch (SocketException exception)
            {
                throw new EndOfStreamException("The other end of the pipe was closed.", exception);
            }
        }
    }

    /// <summary>True when a message (or the end of the stream) can be read without waiting longer than <paramref name="timeout"/>. Python: <c>poll(timeout)</c>.</summary>
    /// <param name="timeout">How long to wait; zero checks without waiting.</param>
    /// <returns>True if <see cref="ReceiveBytes"/> would not block.</returns>
    public bool Poll(TimeSpan timeout = default)
    {
        lock (_receiveLock)
        {
            Socket socket = Connect();
            if (_reader!.HasBufferedFrame)
            {
                return true;
            }

            long microseconds = timeout == Timeout.InfiniteTimeSpan ? -1 : (long)Deadline.From(timeout).Remaining.TotalMicroseconds;
            return socket.Poll(microseconds > int.MaxValue ? -1 : (int)microseconds, SelectMode.SelectRead);
        }
    }

    /// <summary>Closes this end; the other end's receives then end with <see cref="EndOfStreamException"/>. Python: <c>close()</c>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _socket?.Dispose();
    }

    private Socket Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_socket is not null)
        {
            return _socket;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(Handle.SocketPath));
        var hello = new FrameBuffer(64);
        hello.BeginFrame();
        var writer = new MessagePackWriter(hello);
        writer.WriteArrayHeader(2);
        writer.Write(Handle.Token);
        writer.Write(Handle.Side);
        writer.Flush();
        hello.EndFrame();
        socket.Send(hello.Written.Span, SocketFlags.None);
        _reader = new FrameReader(socket);
        return _socket = socket;
    }
}

/// <summary>An end of a pipe crosses processes as its handle.</summary>
internal sealed class ConnectionFormatter : IMessagePackFormatter<Connection?>
{
    public void Serialize(ref MessagePackWriter writer, Connection? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(4);
        writer.Write(value.Handle.SocketPath);
        writer.Write(value.Handle.Token);
        writer.Write(value.Handle.Side);
        writer.Write(value.Handle.Duplex);
    }

    public Connection? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        reader.ReadArrayHeader();
        return new Connection(new ConnectionHandle(reader.ReadString()!, reader.ReadBytes()!.Value.ToArray(), reader.ReadInt32(), reader.ReadBoolean()));
    }
}
