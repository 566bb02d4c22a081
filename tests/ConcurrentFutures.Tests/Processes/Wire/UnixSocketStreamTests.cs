using System.Net.Sockets;
using ConcurrentFutures.Processes.Wire;

namespace ConcurrentFutures.Tests.Processes.Wire;

public class UnixSocketStreamTests
{
    [Fact]
    public async Task CarriesBytesBothWays_AndDisposeEndsABlockedRead()
    {
        string path = Path.Combine("/tmp", $"uss-test-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        try
        {
            using Stream client = UnixSocketStream.Connect(path);
            using Socket server = listener.Accept();
            client.Write("ping"u8);
            byte[] received = new byte[4];
            Assert.Equal(4, server.Receive(received));
            Assert.Equal("ping"u8.ToArray(), received);
            server.Send("pong!"u8);
            byte[] answer = new byte[16];
            Assert.Equal(5, client.Read(answer));

            // The worker's reader thread blocks in Read; disposing the stream on another thread must end that read.
            var blocked = Task.Factory.StartNew(() => client.Read(answer), TaskCreationOptions.LongRunning);
            await Task.Delay(100);
            Assert.False(blocked.IsCompleted);
            client.Dispose();
            Assert.Equal(0, await blocked.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, server.Receive(received)); // the server sees the end of the stream
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ConnectingToNothing_IsAnIOException() =>
        Assert.ThrowsAny<IOException>(() => UnixSocketStream.Connect(Path.Combine("/tmp", $"uss-none-{Guid.NewGuid():N}.sock")));
}
