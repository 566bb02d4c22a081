using System.Net.Sockets;
using ConcurrentFutures.Processes.Wire;

namespace ConcurrentFutures.Tests.Processes.Wire;

public class UnixSocketStreamTests
{
    [Fact]
    public async Task CarriesBytesBothWays_AndDisposeEndsABlockedRead()
    {
        using var listener = new Listener();
        using Stream client = UnixSocketStream.Connect(listener.Path);
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

    [Fact]
    public void WaitReadable_IsFalseOnSilence_TrueForBytesOrTheEnd()
    {
        // After its first call a worker waits briefly for the parent's next frame (often a stop) before it starts its reader thread.
        using var listener = new Listener();
        using Stream client = UnixSocketStream.Connect(listener.Path);
        var stream = Assert.IsType<UnixSocketStream>(client);
        using Socket server = listener.Accept();
        Assert.False(stream.WaitReadable(TimeSpan.FromMilliseconds(20)));
        server.Send("x"u8);
        Assert.True(stream.WaitReadable(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, client.Read(new byte[4]));
        Assert.False(stream.WaitReadable(TimeSpan.Zero)); // read: nothing left
        server.Shutdown(SocketShutdown.Send);
        Assert.True(stream.WaitReadable(TimeSpan.FromSeconds(10))); // the end of the stream is readable: a read returns 0
        Assert.Equal(0, client.Read(new byte[4]));
    }

    [Fact]
    public void ConnectingToNothing_IsAnIOException() =>
        Assert.ThrowsAny<IOException>(() => UnixSocketStream.Connect(Path.Combine("/tmp", $"uss-none-{Guid.NewGuid():N}.sock")));

    /// <summary>A listening Unix socket under /tmp, removed with it.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        public Listener()
        {
            _socket.Bind(new UnixDomainSocketEndPoint(Path));
            _socket.Listen(1);
        }

        public string Path { get; } = System.IO.Path.Combine("/tmp", $"uss-test-{Guid.NewGuid():N}.sock");

        public Socket Accept() => _socket.Accept();

        public void Dispose()
        {
            _socket.Dispose();
            File.Delete(Path);
        }
    }
}
