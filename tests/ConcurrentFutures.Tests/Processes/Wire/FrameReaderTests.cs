using System.Buffers.Binary;
using System.Net.Sockets;
using ConcurrentFutures.Processes.Wire;

namespace ConcurrentFutures.Tests.Processes.Wire;

public class FrameReaderTests
{
    [Fact]
    public void OversizedFrame_IsRefusedBeforeAnythingIsAllocatedForIt()
    {
        (Socket writer, Socket reader) = SocketPair();
        using (writer)
        using (reader)
        {
            byte[] header = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, int.MaxValue);
            writer.Send(header);
            var frames = new FrameReader(new NetworkStream(reader), maxFrameBytes: 1024 * 1024);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var exception = Assert.Throws<InvalidDataException>(() => frames.ReadFrame());
            Assert.Contains("Refused a frame declaring 2147483647 bytes", exception.Message, StringComparison.Ordinal);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, "the reader allocated for a frame it refused");
        }
    }

    [Fact]
    public void FramesReadTogether_AreBuffered_UntilTaken()
    {
        (Socket writer, Socket reader) = SocketPair();
        using (writer)
        using (reader)
        {
            var two = new FrameBuffer();
            two.Append(new StopMessage());
            two.Append(new StopMessage());
            writer.Send(two.Written.Span); // one send, so the first read takes in both frames
            var frames = new FrameReader(new NetworkStream(reader));
            Assert.False(frames.HasBufferedBytes);
            Assert.NotNull(frames.ReadFrame());
            Assert.True(frames.HasBufferedBytes); // the second frame: a worker takes it without waiting on the socket
            Assert.NotNull(frames.ReadFrame());
            Assert.False(frames.HasBufferedBytes);
        }
    }

    [Fact]
    public void NegativeLength_IsRefused()
    {
        (Socket writer, Socket reader) = SocketPair();
        using (writer)
        using (reader)
        {
            writer.Send(new byte[] { 0xff, 0xff, 0xff, 0xff });
            Assert.Throws<InvalidDataException>(() => new FrameReader(new NetworkStream(reader)).ReadFrame());
        }
    }

    [Fact]
    public void FramesSplitAcrossWrites_AreReassembled_AndTruncationIsReported()
    {
        (Socket writer, Socket reader) = SocketPair();
        using (reader)
        {
            var buffer = new FrameBuffer();
            foreach (int size in new[] { 0, 1, 70_000, 3 })
            {
                buffer.BeginFrame();
                buffer.GetSpan(size)[..size].Fill((byte)size);
                buffer.Advance(size);
                buffer.EndFrame();
            }

            byte[] bytes = buffer.Written.ToArray();
            foreach (byte[] piece in bytes.Chunk(997))
            {
                writer.Send(piece);
            }

            writer.Send(new byte[] { 10, 0, 0, 0, 1, 2 }); // a frame announcing 10 bytes, cut after 2
            writer.Dispose();
            var frames = new FrameReader(new NetworkStream(reader));
            Assert.Equal(0, frames.ReadFrame()!.Value.Length);
            Assert.Equal(1, frames.ReadFrame()!.Value.Length);
            Assert.Equal(70_000, frames.ReadFrame()!.Value.Length);
            Assert.Equal(3, frames.ReadFrame()!.Value.Length);
            Assert.Throws<InvalidDataException>(() => frames.ReadFrame());
        }
    }

    [Fact]
    public void RandomBytes_YieldExactlyTheFramesTheyHold_ThenAnEndOrInvalidDataException()
    {
        var random = new Random(20261124);
        const int MaxFrame = 4096;
        for (int round = 0; round < 300; round++)
        {
            byte[] garbage = Garbage(random);
            (List<byte[]> expected, bool expectInvalid) = Parse(garbage, MaxFrame);
            (Socket writer, Socket reader) = SocketPair();
            using (reader)
            {
                writer.Send(garbage);
                writer.Dispose();
                var frames = new FrameReader(new NetworkStream(reader), maxFrameBytes: MaxFrame);
                var read = new List<byte[]>();
                bool invalid = false;
                try
                {
                    while (frames.ReadFrame() is { } frame)
                    {
                        read.Add(frame.ToArray());
                    }
                }
                catch (InvalidDataException)
                {
                    invalid = true;
                }

                Assert.Equal(expected.Count, read.Count);
                for (int i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i], read[i]);
                }

                Assert.Equal(expectInvalid, invalid);
            }
        }
    }

    /// <summary>Random bytes, often with a plausible length prefix or several small frames in a row.</summary>
    private static byte[] Garbage(Random random)
    {
        var bytes = new List<byte>();
        int frames = random.Next(0, 4);
        for (int i = 0; i < frames; i++)
        {
            byte[] body = new byte[random.Next(0, 50)];
            random.NextBytes(body);
            bytes.AddRange(BitConverter.GetBytes(body.Length));
            bytes.AddRange(body);
        }

        byte[] tail = new byte[random.Next(0, 60)];
        random.NextBytes(tail);
        if (random.Next(3) == 0 && tail.Length >= 4)
        {
            BinaryPrimitives.WriteInt32LittleEndian(tail, random.Next(0, tail.Length));
        }

        bytes.AddRange(tail);
        return [.. bytes];
    }

    /// <summary>What the stream holds, read by the protocol's own description: length-prefixed frames up to the limit.</summary>
    private static (List<byte[]> Frames, bool Invalid) Parse(byte[] bytes, int maxFrame)
    {
        var frames = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 4)
            {
                return (frames, true); // ended inside a length prefix
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            if (length < 0 || length > maxFrame || bytes.Length - at - 4 < length)
            {
                return (frames, true); // an impossible length, or ended inside the frame
            }

            frames.Add(bytes[(at + 4)..(at + 4 + length)]);
            at += 4 + length;
        }

        return (frames, false);
    }

    private static (Socket, Socket) SocketPair()
    {
        string path = Path.Combine(Path.GetTempPath(), $"frame-test-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        Socket server = listener.Accept();
        File.Delete(path);
        return (client, server);
    }
}
