using System.Diagnostics;
using ConcurrentFutures.Samples.Tour;

// The tutorial this library grew from, in C#: each section is one of its programs.
// Options: --quick (sleeps of 0.3 s units), --only N (run one section).
var options = TourOptions.Parse(args);
var sections = new (int Number, string Title, Action<TourOptions> Run)[]
{
    (1, "Threads: System.Threading.Thread, results in a shared list", ThreadsSection.Run),
    (2, "Processes: Multiprocessing.Process + ProcessQueue<string>", ProcessesSection.Run),
    (3, "ThreadPoolExecutor + Futures.AsCompleted: fetching pages", ThreadPoolSection.Run),
    (4, "ProcessPoolExecutor.Map(IsPrime, NUMBERS, chunkSize: 4)", ProcessPoolSection.Run),
};

foreach (var (number, title, run) in sections)
{
    if (options.Only is { } only && only != number)
    {
        continue;
    }

    Console.WriteLine($"== {number}. {title} ==");
    var clock = Stopwatch.StartNew();
    run(options);
    Console.WriteLine($"Total Time: {clock.Elapsed.TotalSeconds:F2}");
    Console.WriteLine();
}
