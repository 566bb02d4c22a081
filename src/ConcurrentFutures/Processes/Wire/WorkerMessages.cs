using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// Worker → parent, the first frame on a new connection (<see cref="MessageKind.Hello"/>): the pool's token proves the
/// worker is one the pool started, the slot says which.
/// </summary>
internal readonly record struct HelloMessage(byte[] Token, int Slot, int ProcessId) : IWireMessage
{
    public void Write(ref MessagePackWriter writer)
    {
        WireFormat.WriteStart(ref writer, MessageKind.Hello, 4);
        writer.Write(Token);
        writer.Write(Slot);
        writer.Write(ProcessId);
    }

    public static HelloMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        _ = WireFormat.ReadStart(ref reader, 4, MessageKind.Hello);
        return new HelloMessage(System.Buffers.BuffersExtensions.ToArray(reader.ReadBytes() ?? default), reader.ReadInt32(), reader.ReadInt32());
    }
}

/// <summary>
/// Worker → parent: a task's outcome (<see cref="MessageKind.Result"/>). <see cref="Payload"/> comes last (read as
/// the rest of the frame): when <see cref="Ok"/>, the results as <c>CallRunner</c> wrote them or a
/// <see cref="SharedReference"/> to them; otherwise the exception (<see cref="ExceptionPayload"/>).
/// <see cref="WorkingSetBytes"/> is 0 unless the pool watches its workers' memory.
/// </summary>
internal readonly record struct ResultMessage(long TaskId, bool Ok, long RunMicroseconds, long WorkingSetBytes, ReadOnlyMemory<byte> Payload) : IWireMessage
{
    public void Write(ref MessagePackWriter writer)
    {
        WireFormat.WriteStart(ref writer, MessageKind.Result, 6);
        writer.Write(TaskId);
        writer.Write(Ok);
        writer.Write(RunMicroseconds);
        writer.Write(WorkingSetBytes);
        writer.WriteRaw(Payload.Span);
    }

    public static ResultMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        _ = WireFormat.ReadStart(ref reader, 6, MessageKind.Result);
        long taskId = reader.ReadInt64();
        bool ok = reader.ReadBoolean();
        long micros = reader.ReadInt64();
        long workingSet = reader.ReadInt64();
        return new ResultMessage(taskId, ok, micros, workingSet, WireFormat.Rest(frame, reader));
    }
}

/// <summary>Worker → parent: how the pool's initializer went (<see cref="MessageKind.Initialized"/>); <see cref="Failure"/> is null when it ran.</summary>
internal readonly record struct InitializedMessage(Exception? Failure) : IWireMessage
{
    public void Write(ref MessagePackWriter writer)
    {
        WireFormat.WriteStart(ref writer, MessageKind.Initialized, 3);
        writer.Write(Failure is null);
        if (Failure is null)
        {
            writer.WriteNil();
        }
        else
        {
            ExceptionPayload.Write(ref writer, Failure);
        }
    }

    public static InitializedMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        _ = WireFormat.ReadStart(ref reader, 3, MessageKind.Initialized);
        bool ok = reader.ReadBoolean();
        Exception? failure = reader.TryReadNil() ? null : ExceptionPayload.Read(ref reader);
        return ok || failure is not null
            ? new InitializedMessage(ok ? null : failure)
            : throw new InvalidDataException("An Initialized message said the initializer failed without its exception.");
    }
}
