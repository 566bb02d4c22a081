using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Samples.Tour;

/// <summary>
/// The tutorial's second program: three processes sleeping 3, 2 and 1 units report through a queue. Memory is not
/// shared between processes, so results travel through a ProcessQueue; no Main guard is needed.
/// </summary>
internal static class ProcessesSection
{
    public static void Run(TourOptions options)
    {
        using var q = new ProcessQueue<string>();
        var processes = new List<Process>();
        var results = new List<string>();
        for (int i = 3; i > 0; i--)
        {
            var t = new Process(Func, i, (int)options.SleepUnit.TotalMilliseconds, q);
            t.Start();
            processes.Add(t);
        }

        foreach (Process t in processes)
        {
            results.Add(q.Get());
            t.Join();
            t.Dispose();
        }

        Console.WriteLine($"[{string.Join(", ", results.Select(r => $"'{r}'"))}]");
    }

    /// <summary>The tutorial's func(secs, q); runs in a child process.</summary>
    public static void Func(int secs, int unitMilliseconds, ProcessQueue<string> q)
    {
        Console.WriteLine($"Start sleeping for {secs} secs");
        Thread.Sleep(secs * unitMilliseconds);
        q.Put($"End sleeping for {secs} secs");
    }
}
