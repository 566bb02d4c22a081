namespace ConcurrentFutures.Samples.Tour;

/// <summary>The tutorial's first program: three threads sleeping 3, 2 and 1 units, appending to a shared list.</summary>
internal static class ThreadsSection
{
    public static void Run(TourOptions options)
    {
        Console.WriteLine("(.NET threads need no library; this is plain System.Threading.)");
        var results = new List<string>();
        var threads = new List<Thread>();
        for (int i = 3; i > 0; i--)
        {
            int secs = i;
            using var started = new ManualResetEventSlim();
            var thread = new Thread(() =>
            {
                Console.WriteLine($"Start sleeping for {secs} secs");
                started.Set();
                Thread.Sleep(options.SleepUnit * secs);
                lock (results)
                {
                    results.Add($"End sleeping for {secs} secs");
                }
            });
            thread.Start();
            started.Wait(); // keep the tutorial's "Start sleeping" order; the sleeps still overlap
            threads.Add(thread);
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Console.WriteLine($"[{string.Join(", ", results.Select(r => $"'{r}'"))}]");
    }
}
