namespace ConcurrentFutures.Samples.ClusterWorker;

/// <summary>
/// Work that misbehaves the ways real code does — a native crash, a runaway recursion, a call that never returns — to
/// show (and test) that a silo runs work in worker processes: each costs a worker, never the silo.
/// </summary>
public static class FaultyWork
{
    /// <summary>Ends the process that runs it at once, as a native crash or <c>Environment.FailFast</c> in a library does.</summary>
    public static int FailFast(int x) => x < 0 ? x : Crash();

    /// <summary>Recurses until the stack overflows, which no catch block survives.</summary>
    public static int OverflowTheStack(int depth) => depth == int.MinValue ? 0 : OverflowTheStack(depth + 1) + 1;

    /// <summary>Never returns.</summary>
    public static int Hang(int x)
    {
        Thread.Sleep(Timeout.Infinite);
        return x;
    }

    private static int Crash()
    {
        Environment.FailFast("FaultyWork.FailFast: the crash this sample demonstrates");
        return 0;
    }
}
