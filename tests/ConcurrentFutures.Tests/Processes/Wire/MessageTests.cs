using System.Buffers;
using System.Text.RegularExpressions;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Tests.Processes.Wire;

/// <summary>
/// Every message of the pool ↔ worker protocol written by its type and read back by the same type, and checked against
/// the layout <see cref="MessageKind"/> documents (its doc is the protocol's one description).
/// </summary>
public partial class MessageTests
{
    private static readonly byte[] SmallValue = Encode(static (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(41); w.Write("x"); });

    [Fact]
    public void Hello_RoundTrips()
    {
        var sent = new HelloMessage([1, 2, 3, 250], Slot: 7, ProcessId: 12345);
        byte[] frame = WireFormat.ToBytes(sent);
        HelloMessage read = Read(frame, MessageKind.Hello, HelloMessage.Read);
        Assert.Equal(sent.Token, read.Token);
        Assert.Equal((7, 12345), (read.Slot, read.ProcessId));
    }

    [Fact]
    public void Define_RoundTrips()
    {
        var sent = new DefineMessage(FunctionId: 3, Definition: [9, 8, 7]);
        DefineMessage read = Read(WireFormat.ToBytes(sent), MessageKind.Define, DefineMessage.Read);
        Assert.Equal(3, read.FunctionId);
        Assert.Equal(sent.Definition, read.Definition);
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    public void Run_RoundTrips_WithTheArgumentsAsTheRestOfTheFrame(bool chunk, string? traceParent)
    {
        byte[] target = Encode(static (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write("captured"); });
        var sent = new RunMessage(TaskId: long.MaxValue - 1, FunctionId: 12, chunk, traceParent, target, SmallValue);
        RunMessage read = Read(WireFormat.ToBytes(sent), chunk ? MessageKind.RunChunk : MessageKind.Run, RunMessage.Read);
        Assert.Equal((sent.TaskId, 12, chunk, traceParent), (read.TaskId, read.FunctionId, read.Chunk, read.TraceParent));
        Assert.Equal(target, read.Target.ToArray());
        Assert.Equal(SmallValue, read.Arguments.ToArray());
    }

    [Fact]
    public void Run_CarriesASharedReferenceInPlaceOfItsArguments()
    {
        var reference = new SharedReference("/dev/shm/cf-test-slab-1", Slab: true);
        var sent = new RunMessage(1, 1, Chunk: false, TraceParent: null, CallEncoder.NoTarget, reference.ToBytes());
        RunMessage read = Read(WireFormat.ToBytes(sent), MessageKind.Run, RunMessage.Read);
        Assert.True(SharedReference.TryRead(new ReadOnlySequence<byte>(read.Arguments), out SharedReference back));
        Assert.Equal(reference, back);
    }

    [Fact]
    public void Initialize_RoundTrips()
    {
        var sent = new InitializeMessage(FunctionId: 4, CallEncoder.NoTarget, SmallValue);
        InitializeMessage read = Read(WireFormat.ToBytes(sent), MessageKind.Initialize, InitializeMessage.Read);
        Assert.Equal(4, read.FunctionId);
        Assert.Equal(CallEncoder.NoTarget, read.Target.ToArray());
        Assert.Equal(SmallValue, read.Arguments.ToArray());
    }

    [Fact]
    public void Stop_RoundTrips()
    {
        byte[] frame = WireFormat.ToBytes(new StopMessage());
        _ = Read(frame, MessageKind.Stop, StopMessage.Read);
    }

    [Fact]
    public void Result_RoundTrips_AValueAnExceptionAndAReference()
    {
        var value = new ResultMessage(TaskId: 99, Ok: true, RunMicroseconds: 1234, WorkingSetBytes: 56_000_000, SmallValue);
        ResultMessage read = Read(WireFormat.ToBytes(value), MessageKind.Result, ResultMessage.Read);
        Assert.Equal((99L, true, 1234L, 56_000_000L), (read.TaskId, read.Ok, read.RunMicroseconds, read.WorkingSetBytes));
        Assert.Equal(SmallValue, read.Payload.ToArray());
        Assert.False(SharedReference.TryRead(new ReadOnlySequence<byte>(read.Payload), out _));

        byte[] exception = Encode(static (ref MessagePackWriter w) => ExceptionPayload.Write(ref w, new InvalidOperationException("boom")));
        var failed = new ResultMessage(100, Ok: false, 1, 0, exception);
        read = Read(WireFormat.ToBytes(failed), MessageKind.Result, ResultMessage.Read);
        Assert.False(read.Ok);
        Exception back = ExceptionPayload.FromBytes(read.Payload.ToArray());
        Assert.Contains("boom", back.Message, StringComparison.Ordinal);

        var reference = new SharedReference("/dev/shm/cf-test-result-3", Slab: false);
        read = Read(WireFormat.ToBytes(new ResultMessage(101, Ok: true, 5, 0, reference.ToBytes())), MessageKind.Result, ResultMessage.Read);
        Assert.True(SharedReference.TryRead(new ReadOnlySequence<byte>(read.Payload), out SharedReference backReference));
        Assert.Equal(reference, backReference);
    }

    [Fact]
    public void Initialized_RoundTrips_SuccessAndFailure()
    {
        InitializedMessage read = Read(WireFormat.ToBytes(new InitializedMessage(null)), MessageKind.Initialized, InitializedMessage.Read);
        Assert.Null(read.Failure);

        read = Read(WireFormat.ToBytes(new InitializedMessage(new ArgumentException("bad setting"))), MessageKind.Initialized, InitializedMessage.Read);
        Assert.NotNull(read.Failure);
        Assert.Contains("bad setting", read.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedReference_RoundTripsBothKinds_AndLeavesAnInlineValueAlone()
    {
        foreach (bool slab in new[] { true, false })
        {
            var reference = new SharedReference("/dev/shm/cf-é-" + slab, slab);
            Assert.True(SharedReference.TryRead(new ReadOnlySequence<byte>(reference.ToBytes()), out SharedReference back));
            Assert.Equal(reference, back);
        }

        // Another extension (e.g. a value's own) is not a reference, and the reader is left where it was.
        byte[] other = Encode(static (ref MessagePackWriter w) => w.WriteExtensionFormat(new ExtensionResult(5, new byte[] { 1, 2 })));
        var reader = new MessagePackReader(other);
        Assert.False(SharedReference.TryRead(ref reader, out _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void StandbyAssignment_RoundTrips_AndRefusesWhatItCouldNotCarry()
    {
        var settings = new Dictionary<string, string> { ["CF_SOCKET"] = "/tmp/x y/s.sock", ["CF_TOKEN"] = "a+b/c==", ["CF_EMPTY"] = string.Empty };
        string text = StandbyAssignment.Write(settings);
        Assert.Equal(settings, StandbyAssignment.Read(new StringReader(text)));
        Assert.Empty(StandbyAssignment.Read(new StringReader(string.Empty)));
        Assert.Throws<ArgumentException>(() => StandbyAssignment.Write(new Dictionary<string, string> { ["A=B"] = "1" }));
        Assert.Throws<ArgumentException>(() => StandbyAssignment.Write(new Dictionary<string, string> { ["A"] = "1\n2" }));
    }

    [Fact]
    public void AMessageOfAnotherKindOrLength_IsRefusedByEachReader()
    {
        byte[] stop = WireFormat.ToBytes(new StopMessage());
        Assert.Throws<InvalidDataException>(() => Read(stop, MessageKind.Stop, HelloMessage.Read));
        Assert.Throws<InvalidDataException>(() => Read(stop, MessageKind.Stop, RunMessage.Read));
        Assert.Throws<InvalidDataException>(() => Read(stop, MessageKind.Stop, ResultMessage.Read));
        byte[] shortHello = Encode(static (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write((int)MessageKind.Hello); w.Write(new byte[] { 1 }); w.Write(1); });
        Assert.Throws<InvalidDataException>(() => Read(shortHello, MessageKind.Hello, HelloMessage.Read));
        byte[] truncatedRun = Encode(static (ref MessagePackWriter w) => { w.WriteArrayHeader(6); w.Write((int)MessageKind.Run); w.Write(1L); w.Write(1); w.WriteNil(); w.WriteNil(); });
        Assert.Throws<EndOfStreamException>(() => RunMessage.Read(truncatedRun)); // what the reader of a truncated frame gets
        byte[] runWithoutArguments = Encode(static (ref MessagePackWriter w) => { w.WriteArrayHeader(6); w.Write((int)MessageKind.Run); w.Write(long.MaxValue); w.Write(1); w.WriteNil(); w.WriteNil(); });
        Assert.Throws<InvalidDataException>(() => Read(runWithoutArguments, MessageKind.Run, RunMessage.Read)); // its last element missing
    }

    /// <summary>
    /// Each kind's frame, as its type writes it, has the elements <see cref="MessageKind"/>'s doc lists for it, in that
    /// number, led by the kind: the doc cannot drift from the code unnoticed.
    /// </summary>
    [Fact]
    public void EveryKind_IsWrittenWithTheLayoutItsDocumentationGives()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "ConcurrentFutures", "Processes", "Wire", "MessageKind.cs"));
        Dictionary<string, int> documented = LayoutPattern().Matches(source).ToDictionary(m => m.Groups["kind"].Value, m => 1 + m.Groups["rest"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).Length);
        byte[] reference = new SharedReference("/dev/shm/x", Slab: true).ToBytes();
        var written = new Dictionary<MessageKind, byte[]>
        {
            [MessageKind.Hello] = WireFormat.ToBytes(new HelloMessage([1], 1, 1)),
            [MessageKind.Define] = WireFormat.ToBytes(new DefineMessage(1, [1])),
            [MessageKind.Run] = WireFormat.ToBytes(new RunMessage(1, 1, false, null, CallEncoder.NoTarget, SmallValue)),
            [MessageKind.RunChunk] = WireFormat.ToBytes(new RunMessage(1, 1, true, "t", CallEncoder.NoTarget, reference)),
            [MessageKind.Initialize] = WireFormat.ToBytes(new InitializeMessage(1, CallEncoder.NoTarget, SmallValue)),
            [MessageKind.Stop] = WireFormat.ToBytes(new StopMessage()),
            [MessageKind.Result] = WireFormat.ToBytes(new ResultMessage(1, true, 1, 1, SmallValue)),
            [MessageKind.Initialized] = WireFormat.ToBytes(new InitializedMessage(null)),
        };

        Assert.Equal(Enum.GetNames<MessageKind>().Order(), documented.Keys.Order());
        Assert.Equal(Enum.GetValues<MessageKind>().Order(), written.Keys.Order());
        foreach ((MessageKind kind, byte[] frame) in written)
        {
            var reader = new MessagePackReader(frame);
            int elements = reader.ReadArrayHeader();
            Assert.Equal((int)kind, reader.ReadInt32());
            Assert.True(documented[kind.ToString()] == elements, $"{kind}: the doc lists {documented[kind.ToString()]} elements, the message has {elements}");
            for (int i = 1; i < elements; i++)
            {
                reader.Skip();
            }

            Assert.True(reader.End, $"{kind}: bytes after the message's last element");
        }
    }

    [GeneratedRegex(@"<c>\[(?<kind>[A-Za-z]+)(?<rest>[^\]]*)\]</c>")]
    private static partial Regex LayoutPattern();

    private delegate void Body(ref MessagePackWriter writer);


    private static byte[] Encode(Body body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        body(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T Read<T>(byte[] frame, MessageKind expected, Func<ReadOnlyMemory<byte>, T> read)
    {
        Assert.Equal(expected, WireFormat.PeekKind(frame));
        return read(frame);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConcurrentFutures.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ConcurrentFutures.slnx above {AppContext.BaseDirectory}.");
    }
}
