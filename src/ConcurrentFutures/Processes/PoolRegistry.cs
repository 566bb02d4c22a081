namespace ConcurrentFutures.Processes;

/// <summary>
/// Live pools of this process, so that when the process exits (even without disposing its pools) every worker is
/// killed. A parent killed outright cannot run this; its workers then die through their parent-death signal and
/// their lost connection.
/// </summary>
internal static class PoolRegistry
{
    private static readonly HashSet<PoolManager> s_pools = [];
    private static int s_hooked;

    public static void Add(PoolManager pool)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        }

        lock (s_pools)
        {
            s_pools.Add(pool);
        }
    }

    public static void Remove(PoolManager pool)
    {
        lock (s_pools)
        {
            s_pools.Remove(pool);
        }
    }

    private static void KillAll()
    {
        PoolManager[] pools;
        lock (s_pools)
        {
            pools = [.. s_pools];
        }

        foreach (PoolManager pool in pools)
        {
            pool.KillAllNow();
        }
    }
}
