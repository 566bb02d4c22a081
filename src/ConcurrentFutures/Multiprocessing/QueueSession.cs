using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using ConcurrentFutures.Processes.Wire;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// The broker's side of one client connection. While a request waits (a Get on an empty queue), the next read is
/// already pending: if it reports the end of the stream, the client died and its wait is withdrawn, so no item is
/// handed to a dead process. An item whose response cannot be sent goes back to the front of the queue.
/// </summary>
internal sealed class QueueSession(QueueBroker broker, Socket socket)
{
    private readonly FrameBuffer _output = new(1024);

    public async Task RunAsync(CancellationToken stopping)
    {
        var reader = new FrameReader(socket, maxFrameBytes: 64);
        try
        {
            if (await reader.ReadFrameAsync(stopping).ConfigureAwait(false) is not { } hello || !IsValidHello(hello))
            {
                return;
            }

            reader.AllowFramesUpTo(FrameReader.MaxFrameBytes);
            Task<ReadOnlyMemory<byte>?> next = reader.ReadFrameAsync(stopping).AsTask();
            while (await next.ConfigureAwait(false) is { } frame)
            {
                byte[] request = frame.ToArray(); // the reader's buffer is reused by the next read, started below
                next = reader.ReadFrameAsync(stopping).AsTask();
                await HandleAsync(request, next, stopping).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException or MessagePackSerializationException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private bool IsValidHello(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        return reader.ReadArrayHeader() == 2 && reader.ReadInt32() == (int)QueueMessage.Hello
            && reader.ReadBytes() is { } token && CryptographicOperations.FixedTimeEquals(token.ToArray(), broker.Token);
    }

    private async Task HandleAsync(byte[] request, Task<ReadOnlyMemory<byte>?> clientGone, CancellationToken stopping)
    {
        (QueueMessage kind, int timeoutMs, byte[]? item, bool noAck) = Parse(request);
        var deadline = Deadline.From(timeoutMs < 0 ? null : TimeSpan.FromMilliseconds(timeoutMs));
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Task operation = ServeAsync(kind, item, noAck, deadline, abandon.Token);
        if (!operation.IsCompleted && await Task.WhenAny(operation, clientGone).ConfigureAwait(false) != operation)
        {
            abandon.Cancel(); // the client went away while waiting: withdraw its wait, so it takes no item
        }

        try
        {
            await operation.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(QueueMessage kind, byte[]? item, bool noAck, Deadline deadline, CancellationToken abandon)
    {
        try
        {
            switch (kind)
            {
                case QueueMessage.Put when noAck:
                    await broker.PutAsync(item!, deadline, abandon).ConfigureAwait(false);
                    break;
                case QueueMessage.Put:
                    await RespondAsync(await broker.PutAsync(item!, deadline, abandon).ConfigureAwait(false) ? QueueMessage.Ok : QueueMessage.Timeout, null).ConfigureAwait(false);
                    break;
                case QueueMessage.Get:
                    byte[]? taken = await broker.GetAsync(deadline, abandon).ConfigureAwait(false);
                    if (!await TryRespondAsync(taken is null ? QueueMessage.Timeout : QueueMessage.Ok, taken).ConfigureAwait(false) && taken is not null)
                    {
                        broker.ReturnToFront(taken);
                    }

                    break;
                case QueueMessage.Count:
                    await RespondAsync(QueueMessage.Ok, null, broker.Count).ConfigureAwait(false);
                    break;
                case QueueMessage.TaskDone:
                    broker.TaskDone();
                    await RespondAsync(QueueMessage.Ok, null).ConfigureAwait(false);
                    break;
                case QueueMessage.Join:
                    Task joined = broker.JoinAsync();
                    bool done = joined.IsCompleted || await Task.WhenAny(joined, Task.Delay(deadline.Remaining, abandon)).ConfigureAwait(false) == joined;
                    await RespondAsync(done ? QueueMessage.Ok : QueueMessage.Timeout, null).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidDataException($"Unknown queue request {kind}.");
            }
        }
        catch (InvalidOperationException exception)
        {
            await RespondAsync(QueueMessage.Error, null, message: exception.Message).ConfigureAwait(false);
        }
    }

    private static (QueueMessage Kind, int TimeoutMs, byte[]? Item, bool NoAck) Parse(byte[] request)
    {
        var reader = new MessagePackReader(request);
        int fields = reader.ReadArrayHeader();
        var kind = (QueueMessage)reader.ReadInt32();
        int timeoutMs = fields > 1 ? reader.ReadInt32() : -1;
        byte[]? item = fields > 2 ? reader.ReadBytes()?.ToArray() : null;
        bool noAck = fields > 3 && reader.ReadBoolean();
        return (kind, timeoutMs, item, noAck);
    }

    private async Task<bool> TryRespondAsync(QueueMessage kind, byte[]? item)
    {
        try
        {
            await RespondAsync(kind, item).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task RespondAsync(QueueMessage kind, byte[]? item, int? number = null, string? message = null)
    {
        _output.Clear();
        _output.BeginFrame();
        var writer = new MessagePackWriter(_output);
        writer.WriteArrayHeader(2);
        writer.Write((int)kind);
        if (item is not null)
        {
            writer.Write(item);
        }
        else if (number is { } n)
        {
            writer.Write(n);
        }
        else if (message is not null)
        {
            writer.Write(message);
        }
        else
        {
            writer.WriteNil();
        }

        writer.Flush();
        _output.EndFrame();
        ReadOnlyMemory<byte> pending = _output.Written;
        while (!pending.IsEmpty)
        {
            pending = pending[await socket.SendAsync(pending, SocketFlags.None).ConfigureAwait(false)..];
        }
    }
}
