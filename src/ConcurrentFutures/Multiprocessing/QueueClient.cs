using System.Buffers;
using System.Net.Sockets;
using ConcurrentFutures.Processes.Wire;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A connection from a process that received a queue handle to the queue's owner. One request at a time (a lock);
/// waits are enforced by the owner, which answers Timeout. Async calls wait in short slices so that cancelling
/// never abandons an item in flight.
/// </summary>
internal sealed class QueueClient : IDisposable
{
    /// <summary>Longest single wait of an async call, so its cancellation token is checked at least this often.</summary>
    private static readonly TimeSpan AsyncSlice = TimeSpan.FromMilliseconds(200);

    private readonly Lock _lock = new();
    private readonly Socket _socket;
    private readonly FrameReader _reader;
    private readonly FrameBuffer _output = new(1024);

    public QueueClient(string socketPath, byte[] token)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        _reader = new FrameReader(_socket);
        Send(QueueMessage.Hello, null, token);
    }

    /// <summary>Sends a request and waits for the owner's answer.</summary>
    /// <returns>The kind of answer and its value (item bytes, a count or an error message).</returns>
    public (QueueMessage Kind, object? Value) Call(QueueMessage kind, TimeSpan? timeout, byte[]? item = null)
    {
        lock (_lock)
        {
            int timeoutMs = Deadline.From(timeout).RemainingMilliseconds;
            Send(kind, timeoutMs, item);
            ReadOnlyMemory<byte> frame = _reader.ReadFrame() ?? throw new InvalidOperationException("The queue's owner process has exited; the queue is gone.");
            var reader = new MessagePackReader(frame);
            reader.ReadArrayHeader();
            var answer = (QueueMessage)reader.ReadInt32();
            object? value = reader.NextMessagePackType switch
            {
                MessagePackType.Binary => reader.ReadBytes()!.Value.ToArray(),
                MessagePackType.Integer => reader.ReadInt32(),
                MessagePackType.String => reader.ReadString(),
                _ => ReadNil(ref reader),
            };
            if (answer == QueueMessage.Error)
            {
                throw new InvalidOperationException((string?)value ?? "The queue refused the request.");
            }

            return (answer, value);
        }
    }

    /// <summary>
    /// Sends a Put that the owner does not answer: for unbounded queues, where a Put cannot be refused while the owner
    /// lives. Requests on one connection are handled in order, so the producer's FIFO order holds.
    /// </summary>
    public void Post(byte[] item)
    {
        lock (_lock)
        {
            Send(QueueMessage.Put, -1, item, noAck: true);
        }
    }

    /// <summary>Async twin: waits in slices, checking the token in between.</summary>
    public async ValueTask<(QueueMessage Kind, object? Value)> CallAsync(QueueMessage kind, byte[]? item, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await Task.Run(() => Call(kind, AsyncSlice, item), cancellationToken).ConfigureAwait(false);
            if (result.Kind != QueueMessage.Timeout)
            {
                return result;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private static object? ReadNil(ref MessagePackReader reader)
    {
        reader.Skip();
        return null;
    }

    private void Send(QueueMessage kind, int? timeoutMs, byte[]? item, bool noAck = false)
    {
        _output.Clear();
        _output.BeginFrame();
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(kind == QueueMessage.Hello ? 2 : noAck ? 4 : item is not null ? 3 : timeoutMs is not null ? 2 : 1);
        writer.Write((int)kind);
        if (kind == QueueMessage.Hello)
        {
            writer.Write(item);
        }
        else
        {
            if (timeoutMs is { } ms)
            {
                writer.Write(ms);
            }

            if (item is not null)
            {
                writer.Write(item);
            }

            if (noAck)
            {
                writer.Write(true);
            }
        }

        writer.Flush();
        _output.EndFrame();
        ReadOnlySpan<byte> pending = _output.Written.Span;
        while (!pending.IsEmpty)
        {
            pending = pending[_socket.Send(pending, SocketFlags.None)..];
        }
    }
}
