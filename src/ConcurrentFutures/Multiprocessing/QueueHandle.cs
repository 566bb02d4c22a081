namespace ConcurrentFutures.Multiprocessing;

/// <summary>What crosses a process boundary for a queue: where its owner listens and the token to present.</summary>
internal sealed class QueueHandle(string socketPath, byte[] token, int maxSize)
{
    public string SocketPath { get; } = socketPath;

    public byte[] Token { get; } = token;

    public int MaxSize { get; } = maxSize;

    public bool Joinable { get; set; }
}
