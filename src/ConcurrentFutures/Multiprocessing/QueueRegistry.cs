using System.Collections.Concurrent;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>Queues owned by this process, by socket path, so a handle coming back here opens the original object.</summary>
internal static class QueueRegistry
{
    private static readonly ConcurrentDictionary<string, object> s_owned = new(StringComparer.Ordinal);

    public static void Add(string socketPath, object queue) => s_owned[socketPath] = queue;

    public static void Remove(string socketPath) => s_owned.TryRemove(socketPath, out _);

    public static object? Find(string socketPath) => s_owned.GetValueOrDefault(socketPath);
}
