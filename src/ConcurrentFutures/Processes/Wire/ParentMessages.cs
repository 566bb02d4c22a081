using MessagePack;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>Parent → worker: a function's definition (<see cref="MessageKind.Define"/>), sent before its first call.</summary>
internal readonly record struct DefineMessage(int FunctionId, byte[] Definition) : IWireMessage
{
    public void Write(ref MessagePackWriter writer)
    {
        WireFormat.WriteStart(ref writer, MessageKind.Define, 3);
        writer.Write(FunctionId);
        writer.Write(Definition);
    }

    public static DefineMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        _ = WireFormat.ReadStart(ref reader, 3, MessageKind.Define);
        return new DefineMessage(reader.ReadInt32(), System.Buffers.BuffersExtensions.ToArray(reader.ReadBytes() ?? default));
    }
}

/// <summary>
/// Parent → worker: one call (<see cref="MessageKind.Run"/>) or a chunk of calls (<see cref="MessageKind.RunChunk"/>)
/// of a defined function. <see cref="Target"/> and <see cref="Arguments"/> are MessagePack values encoded by
/// <c>CallEncoder</c>; the arguments come last, so a reader takes them as the rest of the frame without walking them,
/// and may be a <see cref="SharedReference"/> instead (a large payload in shared memory).
/// </summary>
internal readonly record struct RunMessage(long TaskId, int FunctionId, bool Chunk, string? TraceParent, ReadOnlyMemory<byte> Target, ReadOnlyMemory<byte> Arguments) : IWireMessage
{
    public void Write(ref MessagePackWriter writer)
    {
        WireFormat.WriteStart(ref writer, Chunk ? MessageKind.RunChunk : MessageKind.Run, 6);
        writer.Write(TaskId);
        writer.Write(FunctionId);
        writer.Write(TraceParent);
        writer.WriteRaw(Target.Span);
        writer.WriteRaw(Arguments.Span);
    }

    public static RunMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        MessageKind kind = WireFormat.ReadStart(ref reader, 6, MessageKind.Run, MessageKind.RunChunk);
        long taskId = reader.ReadInt64();
        int functionId = reader.ReadInt32();
        string? traceParent = reader.TryReadNil() ? null : reader.ReadString();
        ReadOnlyMemory<byte> target = WireFormat.Element(frame, ref reader);
        return new RunMessage(taskId, functionId, kind == MessageKind.RunChunk, traceParent, target, WireFormat.Rest(frame, reader));
    }
}

/// <summary>Parent → worker, once before any call: the pool's initializer (<see cref="MessageKind.Initialize"/>), encoded as a call's target and arguments.</summary>
internal readonly record struct InitializeMessage(int FunctionId, ReadOnlyMemory<byte> Target, ReadOnlyMemory<byte> Arguments) : IWireMessage
{
    public void Write(ref MessagePackWriter writer)
    {
        WireFormat.WriteStart(ref writer, MessageKind.Initialize, 4);
        writer.Write(FunctionId);
        writer.WriteRaw(Target.Span);
        writer.WriteRaw(Arguments.Span);
    }

    public static InitializeMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        _ = WireFormat.ReadStart(ref reader, 4, MessageKind.Initialize);
        int functionId = reader.ReadInt32();
        ReadOnlyMemory<byte> target = WireFormat.Element(frame, ref reader);
        return new InitializeMessage(functionId, target, WireFormat.Rest(frame, reader));
    }
}

/// <summary>Parent → worker: finish what was sent, then exit (<see cref="MessageKind.Stop"/>).</summary>
internal readonly record struct StopMessage : IWireMessage
{
    public void Write(ref MessagePackWriter writer) => WireFormat.WriteStart(ref writer, MessageKind.Stop, 1);

    public static StopMessage Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        _ = WireFormat.ReadStart(ref reader, 1, MessageKind.Stop);
        return default;
    }
}
