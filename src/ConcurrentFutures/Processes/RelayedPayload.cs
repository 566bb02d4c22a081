using System.Net.Sockets;

namespace ConcurrentFutures.Processes;

/// <summary>
/// A worker's answer to a relayed call, held for whoever passes it on (a silo, until its client takes it): in a pooled
/// array (<see cref="PooledPayload"/>), or left in the worker's slab (<see cref="SlabResult"/>). Its holder calls
/// <see cref="Return"/> once done; later calls do nothing.
/// </summary>
internal abstract class RelayedPayload
{
    public abstract long Length { get; }

    /// <summary>The bytes as an array of their own (a small answer that travels on inside a message).</summary>
    public abstract byte[] ToArray();

    /// <summary>Sends the bytes on a connected stream socket (a large answer passed on to its client).</summary>
    public abstract Task SendAsync(Socket socket, CancellationToken cancellationToken);

    /// <summary>Lets the memory go: back to its pool, or the slab back to its worker.</summary>
    public abstract void Return();
}
