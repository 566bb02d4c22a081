using ConcurrentFutures;

/// <summary>Executors without a logger factory, through everything they log with one (mode "quiet"); prints nothing.</summary>
internal static class Quiet
{
    public static int Run()
    {
        var patience = TimeSpan.FromSeconds(60);
        using (var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxTasksPerChild = 1, TaskTimeout = TimeSpan.FromMilliseconds(500) }))
        {
            pool.Submit(Work.Square, 3).Result(patience); // a worker starts, and is recycled after its task
            _ = pool.Submit(Work.Crash).GetException(patience); // a worker dies
            _ = pool.Submit(Work.Hang).GetException(patience); // a worker is killed for its timeout
            pool.Submit(Work.Square, 4).Result(patience);
        }

        using (var broken = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, Initializer = Work.FailToInitialize }))
        {
            _ = broken.Submit(Work.Square, 5).GetException(patience); // the pool breaks
        }

        using (var threads = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Initializer = Work.FailToInitialize }))
        {
            _ = threads.Submit(Work.Square, 6).GetException(patience); // the thread pool breaks
        }

        return 0;
    }
}

internal static class Work
{
    public static int Square(int x) => x * x;

    public static int Crash()
    {
        Environment.Exit(3);
        return 0;
    }

    public static int Hang()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static void FailToInitialize() => throw new InvalidDataException("initializer fails on purpose");
}
