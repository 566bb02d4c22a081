using System.Collections.Concurrent;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>Queues owned by this process, by file path, so a handle coming back here opens the original object.</summary>
internal static class QueueRegistry
{
    private static readonly ConcurrentDictionary<string, object> s_owned = new(StringComparer.Ordinal);

    public static void Add(string path, object queue) => s_owned[path] = queue;

    public static void Remove(string path) => s_owned.TryRemove(path, out _);

    public static object? Find(string path) => s_owned.GetValueOrDefault(path);
}
