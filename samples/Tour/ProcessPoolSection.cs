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
            ("Map(chunkSize: 1)", Numbers.Length, done => single = Time(() => Consume(executor.Map(IsPrime, Numbers, chunkSize: 1), done))),
            ("sequential", Numbers.Length, done => sequential = Time(() => Consume(Numbers.Select(IsPrime), done))));
        Console.WriteLine($"Map(chunkSize: 4) {chunked.TotalSeconds:F2} s (includes starting {executor.MaxWorkers} workers) | Map(chunkSize: 1) {single.TotalSeconds:F2} s | sequential {sequential.TotalSeconds:F2} s");
    }

    private static TimeSpan Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }

    private static void Consume(IEnumerable<bool> results, Action done)
    {
        foreach (bool _ in results)
        {
            done();
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
