using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

public static class PipeFunctions
{
    /// <summary>Answers each number with its double until it receives a negative one.</summary>
    public static void Echo(Connection connection)
    {
        while (true)
        {
            int value = connection.Receive<int>();
            if (value < 0)
            {
                connection.Dispose();
                return;
            }

            connection.Send(value * 2);
        }
    }

    public static void SendAndClose(Connection connection)
    {
        connection.SendBytes("payload"u8);
        connection.Dispose();
    }
}

public class PipeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void PingPong_AHundredTimes_WithAChild()
    {
        var (parent, child) = Pipe.Create();
        using (parent)
        using (child)
        using (var process = new Process(PipeFunctions.Echo, child))
        {
            process.Start();
            for (int i = 0; i < 100; i++)
            {
                parent.Send(i);
                Assert.True(parent.Poll(Patience));
                Assert.Equal(2 * i, parent.Receive<int>());
            }

            parent.Send(-1);
            Assert.True(process.Join(Patience));
            Assert.Equal(0, process.ExitCode);
            Assert.Throws<EndOfStreamException>(() => parent.Receive<int>());
        }
    }

    [Fact]
    public void OneWayPipe_ReceivesOnTheFirstEnd_SendsOnTheSecond()
    {
        var (reader, writer) = Pipe.Create(duplex: false);
        using (reader)
        using (writer)
        using (var process = new Process(PipeFunctions.SendAndClose, writer))
        {
            Assert.Throws<InvalidOperationException>(() => reader.Send(1));
            Assert.Throws<InvalidOperationException>(() => writer.ReceiveBytes());
            process.Start();
            Assert.Equal("payload"u8.ToArray(), reader.ReceiveBytes());
            Assert.True(process.Join(Patience));
            Assert.Throws<EndOfStreamException>(() => reader.ReceiveBytes());
        }
    }

    [Fact]
    public void BothEndsInOneProcess_Work_AndPollSaysWhenDataWaits()
    {
        var (a, b) = Pipe.Create();
        using (a)
        using (b)
        {
            Assert.False(b.Poll(TimeSpan.FromMilliseconds(20)));
            a.Send("hi");
            Assert.True(b.Poll(Patience));
            Assert.Equal("hi", b.Receive<string>());
            b.Send(new[] { 1, 2, 3 });
            Assert.Equal([1, 2, 3], a.Receive<int[]>());
            Assert.Throws<ArgumentException>(() => a.Send<object>(new MemoryStream()));
        }
    }

    [Fact]
    public async Task ReceiveAsync_WaitsWithoutAThread_ObservesCancellation_AndEndsWithTheOtherEnd()
    {
        var (parent, child) = Pipe.Create();
        using (parent)
        using (child)
        using (var process = new Process(PipeFunctions.Echo, child))
        {
            process.Start();
            var pending = parent.ReceiveAsync<int>();
            parent.Send(21);
            Assert.Equal(42, await pending.AsTask().WaitAsync(Patience));

            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await parent.ReceiveBytesAsync(cts.Token));
            }

            parent.Send(5); // the cancelled receive took nothing: this answer is the next message
            Assert.Equal(10, await parent.ReceiveAsync<int>().AsTask().WaitAsync(Patience));
            parent.Send(-1);
            Assert.True(process.Join(Patience));
            await Assert.ThrowsAsync<EndOfStreamException>(async () => await parent.ReceiveAsync<int>().AsTask().WaitAsync(Patience));
        }
    }

    [Fact]
    public void Create_ReturnsNamedEnds_ThatStillDeconstruct()
    {
        PipeEnds ends = Pipe.Create(duplex: false);
        using (ends.First)
        using (ends.Second)
        {
            ends.Second.Send(7);
            Assert.Equal(7, ends.First.Receive<int>());
            (Connection first, Connection second) = ends;
            Assert.Same(ends.First, first);
            Assert.Same(ends.Second, second);
        }
    }

    [Fact]
    public async Task SendAsync_WaitsForRoom_ObservesCancellation_AndPollAsyncWaitsForAMessage()
    {
        var (a, b) = Pipe.Create();
        using (a)
        using (b)
        {
            Assert.False(await b.PollAsync(TimeSpan.FromMilliseconds(20)));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await b.PollAsync(Patience, new CancellationToken(canceled: true)));
            using (var early = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await b.PollAsync(Timeout.InfiniteTimeSpan, early.Token));
            }

            ValueTask<bool> polled = b.PollAsync(Patience);
            await a.SendAsync("hi");
            Assert.True(await polled.AsTask().WaitAsync(Patience));
            Assert.Equal("hi", b.Receive<string>());

            // Fill the ring (1 MB each way) with messages nobody reads: the next send waits for room.
            byte[] big = new byte[400_000];
            int sent = 0;
            while (true)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try
                {
                    await a.SendBytesAsync(big, quick.Token);
                    sent++;
                }
                catch (OperationCanceledException)
                {
                    break; // waited for room, and the token ended the wait
                }

                Assert.True(sent < 10, "the ring never filled");
            }

            ValueTask waiting = a.SendAsync(42);
            Assert.Equal(big.Length, b.ReceiveBytes().Length); // room again
            await waiting.AsTask().WaitAsync(Patience);
            for (int i = 1; i < sent; i++)
            {
                Assert.Equal(big.Length, b.ReceiveBytes().Length);
            }

            Assert.Equal(42, b.Receive<int>()); // the cancelled send put nothing in between
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await a.SendAsync(1, new CancellationToken(canceled: true)));
        }
    }
}
