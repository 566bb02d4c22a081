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

    /// <summary>Sends one large message and keeps its end open until killed.</summary>
    public static void SendLargeThenHang(Connection connection, int size)
    {
        byte[] data = new byte[size];
        data[^1] = 42;
        connection.SendBytes(data);
        Thread.Sleep(Timeout.Infinite);
    }
}
