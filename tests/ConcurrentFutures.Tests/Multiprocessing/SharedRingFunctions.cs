using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

/// <summary>Child targets for the shared-memory queue and pipe tests.</summary>
public static class SharedRingFunctions
{
    /// <summary>Says it started, then waits in Get until killed.</summary>
    public static void WaitInGet(ProcessQueue<int> queue, ProcessEvent started)
    {
        started.Set();
        queue.Get();
    }

    /// <summary>Waits in Get after saying so, and reports how that wait ended (the exception's type and message, or the item).</summary>
    public static void ReportHowGetEnds(ProcessQueue<int> queue, ProcessEvent started, ProcessQueue<string> report)
    {
        started.Set();
        try
        {
            report.Put($"item {queue.Get(TimeSpan.FromSeconds(60))}");
        }
        catch (Exception exception)
        {
            report.Put($"{exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>Puts more bytes than the shared ring holds, says so, then returns (the process exits).</summary>
    public static void FloodAndExit(ProcessQueue<byte[]> queue, int count, int size, ProcessEvent allPut)
    {
        for (int i = 0; i < count; i++)
        {
            byte[] item = new byte[size];
            BitConverter.TryWriteBytes(item, i);
            queue.Put(item);
        }

        allPut.Set();
    }

    /// <summary>Takes one item and puts it on the other queue.</summary>
    public static void EchoBytes(ProcessQueue<byte[]> inbox, ProcessQueue<byte[]> outbox) => outbox.Put(inbox.Get(TimeSpan.FromSeconds(60)));

    /// <summary>Sends back one value, then one raw message.</summary>
    public static void EchoThroughPipe(Connection connection)
    {
        connection.Send(connection.Receive<byte[]>());
        connection.SendBytes(connection.ReceiveBytes());
    }

    /// <summary>Sends one large message and keeps its end open until killed.</summary>
    public static void SendLargeThenHang(Connection connection, int size)
    {
        byte[] data = new byte[size];
        data[^1] = 42;
        connection.SendBytes(data);
        Thread.Sleep(Timeout.Infinite);
    }
}

/// <summary>Children for the many-producers, many-consumers stress test of the shared ring.</summary>
public static class RingStressFunctions
{
    /// <summary>Puts <paramref name="count"/> items of random sizes (up to 300 KB), each saying who made it, its number, and a checksum.</summary>
    public static void Produce(ProcessQueue<byte[]> queue, int producer, int count)
    {
        var random = new Random(producer);
        for (int i = 0; i < count; i++)
        {
            byte[] item = new byte[12 + random.Next(0, 300 * 1024)];
            random.NextBytes(item.AsSpan(12));
            BitConverter.TryWriteBytes(item.AsSpan(0, 4), producer);
            BitConverter.TryWriteBytes(item.AsSpan(4, 4), i);
            BitConverter.TryWriteBytes(item.AsSpan(8, 4), Checksum(item.AsSpan(12)));
            queue.Put(item);
        }
    }

    /// <summary>Takes items until an empty one, reporting "producer:number:ok:consumer pid" for each, in the order taken.</summary>
    public static void Consume(ProcessQueue<byte[]> queue, ProcessQueue<string> report)
    {
        while (true)
        {
            byte[] item = queue.Get(TimeSpan.FromSeconds(60));
            if (item.Length == 0)
            {
                return;
            }

            bool intact = BitConverter.ToInt32(item.AsSpan(8, 4)) == Checksum(item.AsSpan(12));
            report.Put($"{BitConverter.ToInt32(item.AsSpan(0, 4))}:{BitConverter.ToInt32(item.AsSpan(4, 4))}:{(intact ? "ok" : "corrupt")}:{Environment.ProcessId}");
        }
    }

    /// <summary>FNV-1a: the same in every process (HashCode is seeded per process).</summary>
    private static int Checksum(ReadOnlySpan<byte> data)
    {
        uint hash = 2166136261;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 16777619;
        }

        return (int)hash;
    }
}
