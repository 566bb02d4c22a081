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
    public void RandomBytes_OnlyEverYieldFramesOrInvalidDataException()
    {
        var random = new Random(20261124);
        for (int round = 0; round < 300; round++)
        {
            (Socket writer, Socket reader) = SocketPair();
            using (reader)
            {
                byte[] garbage = new byte[random.Next(0, 200)];
                random.NextBytes(garbage);
                if (random.Next(3) == 0 && garbage.Length >= 4)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(garbage, random.Next(0, garbage.Length));
                }

                writer.Send(garbage);
                writer.Dispose();
                var frames = new FrameReader(new NetworkStream(reader), maxFrameBytes: 4096);
                try
                {
                    while (frames.ReadFrame() is not null)
                    {
                    }
                }
                catch (InvalidDataException)
                {
                }
            }
        }
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
