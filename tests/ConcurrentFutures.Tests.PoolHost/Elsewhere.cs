using ConcurrentFutures;
using ConcurrentFutures.Multiprocessing;

/// <summary>What a process on a system without process support can and cannot do (mode "elsewhere").</summary>
internal static class Elsewhere
{
    public static int Run()
    {
        using (var threads = new ThreadPoolExecutor(2))
        {
            Future<int> doubled = threads.Submit(static x => x * 2, 21);
            int completed = Futures.AsCompleted([doubled]).Count();
            int mapped = threads.Map(static x => x + 1, [1, 2, 3]).Sum();
            Console.WriteLine($"WORKS thread pool {doubled.Result()} {completed} {mapped}");
        }

        Check("ProcessPoolExecutor", static () => new ProcessPoolExecutor(1).Dispose());
        Check("ProcessPoolExecutor.PrestartWorkers", static () => ProcessPoolExecutor.PrestartWorkers(1));
        Check("Process", static () => new Process(static () => { }).Dispose());
        Check("Pool", static () => new Pool(1).Dispose());
        Check("ProcessQueue", static () => new ProcessQueue<int>().Dispose());
        Check("JoinableProcessQueue", static () => new JoinableProcessQueue<int>().Dispose());
        Check("Pipe", static () => Pipe.Create());
        Check("ProcessLock", static () => new ProcessLock().Dispose());
        Check("ProcessEvent", static () => new ProcessEvent().Dispose());
        Check("ProcessSemaphore", static () => new ProcessSemaphore(1).Dispose());
        Check("SharedMemory", static () => new SharedMemory(size: 16).Dispose());
        Check("SharedArray", static () => new SharedArray<int>(4).Dispose());
        return 0;
    }

    private static void Check(string what, Action create)
    {
        try
        {
            create();
            Console.WriteLine($"CREATED {what}");
        }
        catch (PlatformNotSupportedException exception)
        {
            Console.WriteLine($"REFUSED {what}: {exception.Message}");
        }
    }
}
