namespace ConcurrentFutures.Hosting;

/// <summary>
/// The executors created by this container's registrations, so the host can shut them down. Only executors that were
/// resolved exist; an executor nobody asked for never starts a thread or a process.
/// </summary>
internal sealed class HostedExecutors
{
    private readonly Lock _lock = new();
    private readonly List<(string Name, Executor Executor)> _executors = [];

    public void Add(string name, Executor executor)
    {
        lock (_lock)
        {
            _executors.Add((name, executor));
        }
    }

    public (string Name, Executor Executor)[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _executors];
        }
    }
}
