using System.Diagnostics;

namespace ConcurrentFutures.Samples.Tour;

/// <summary>The tutorial's fourth program: check six large numbers for primality on a process pool with Map(chunkSize: 4).</summary>
internal static class ProcessPoolSection
{
    private static readonly long[] Numbers =
    [
        112272535095293,
        112582705942171,
        112272535095293,
        115280095190773,
        115797848077099,
        1099726899285419,
    ];

    public static void Run(TourOptions options)
    {
        using var executor = new ProcessPoolExecutor();
        var clock = Stopwatch.StartNew();
        foreach (var (number, isPrime) in Numbers.Zip(executor.Map(IsPrime, Numbers, chunkSize: 4)))
        {
            Console.WriteLine($"{number} is prime: {isPrime}");
        }

        TimeSpan chunked = clock.Elapsed;
        TimeSpan single = TimeSpan.Zero;
        TimeSpan sequential = TimeSpan.Zero;
        TourProgress.Run(
            ("Map(chunkSize: 1)", progress => single = Time(() => executor.Map(IsPrime, Numbers, progress, chunkSize: 1).ToList())),
            ("sequential", progress => sequential = Time(() => Sequential(progress))));
        Console.WriteLine($"Map(chunkSize: 4) {chunked.TotalSeconds:F2} s (includes starting {executor.MaxWorkers} workers) | Map(chunkSize: 1) {single.TotalSeconds:F2} s | sequential {sequential.TotalSeconds:F2} s");
    }

    private static TimeSpan Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }

    /// <summary>The same work on this thread, reporting progress by hand the way Map does it for you.</summary>
    private static void Sequential(IProgress<FutureProgress> progress)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Numbers.Length; i++)
        {
            IsPrime(Numbers[i]);
            progress.Report(new FutureProgress(i + 1, 0, Numbers.Length, clock.Elapsed));
        }
    }

    /// <summary>The tutorial's isPrime, unchanged. A static method: it can be sent to worker processes.</summary>
    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n == 2)
        {
            return true;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        long sqrtN = (long)Math.Floor(Math.Sqrt(n));
        for (long i = 3; i <= sqrtN; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }

        return true;
    }
}
