namespace ConcurrentFutures.Multiprocessing;

/// <summary>Creates connected pairs of <see cref="Connection"/>s. Python: <c>multiprocessing.Pipe</c>.</summary>
public static class Pipe
{
    /// <summary>Creates a pipe. Python: <c>Pipe(duplex=True)</c>.</summary>
    /// <param name="duplex">True: both ends send and receive. False: the first end only receives, the second only sends.</param>
    /// <returns>The two ends; pass either to a <see cref="Process"/> or pool work.</returns>
    /// <remarks>The process that creates the pipe relays its bytes, so the pipe works while that process lives.</remarks>
    public static (Connection, Connection) Create(bool duplex = true)
    {
        var relay = new PipeRelay();
        return (new Connection(new ConnectionHandle(relay.SocketPath, relay.Token, 0, duplex)),
                new Connection(new ConnectionHandle(relay.SocketPath, relay.Token, 1, duplex)));
    }
}

/// <summary>What crosses a process boundary for one end of a pipe.</summary>
internal sealed record ConnectionHandle(string SocketPath, byte[] Token, int Side, bool Duplex);
