using BenchmarkDotNet.Attributes;
using ConcurrentFutures;

/// <summary>
/// Process pool costs: pipelined no-op submissions, Map with small and large chunks, a 32 MB round trip, and the
/// tutorial's prime workload beside Parallel.ForEach and a plain loop. Two workers, as on a 2-core machine.
/// </summary>
[MemoryDiagnoser]
public class ProcessPoolBenchmarks
{
    private const int Items = 10_000;
    private static readonly long[] Primes = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419];
    private readonly Future<int>[] _futures = new Future<int>[Items];
    private readonly byte[] _payload = new byte[32 * 1024 * 1024];
    private ProcessPoolExecutor _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(2);
        _ = _pool.Map(IsPrime, Primes).ToList(); // start both workers and JIT their code
    }

    /// <summary>
    /// Steady state for the large round trip: each one leaves two 32 MB arrays to the collector, and only after the
    /// first gen2 collections (a dozen round trips) do new arrays reuse memory instead of faulting fresh pages in.
    /// </summary>
    [GlobalSetup(Target = nameof(RoundTrip32MB))]
    public void SetupRoundTrip()
    {
        Setup();
        for (int i = 0; i < 16; i++)
        {
            _ = RoundTrip32MB();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(OperationsPerInvoke = Items, Description = "Submit no-op x10k, then each Result")]
    public int SubmitNoOp()
    {
        for (int i = 0; i < Items; i++)
        {
            _futures[i] = _pool.Submit(NoOp);
        }

        int sum = 0;
        foreach (Future<int> future in _futures)
        {
            sum += future.Result();
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "Map(square, 10k, chunkSize: 1)")]
    public long MapChunk1() => _pool.Map(Square, Enumerable.Range(0, Items)).Sum(x => (long)x);

    [Benchmark(OperationsPerInvoke = Items, Description = "Map(square, 10k, chunkSize: 500)")]
    public long MapChunk500() => _pool.Map(Square, Enumerable.Range(0, Items), chunkSize: 500).Sum(x => (long)x);

    [Benchmark(Description = "32 MB byte[] round trip")]
    public int RoundTrip32MB() => _pool.Submit(Echo, _payload).Result().Length;

    [Benchmark(Description = "Primes: process pool Map(chunkSize: 1)")]
    public int PrimesPool() => _pool.Map(IsPrime, Primes).Count(p => p);

    [Benchmark(Description = "Primes: Parallel.ForEach (2 threads)")]
    public int PrimesParallel()
    {
        int count = 0;
        Parallel.ForEach(Primes, new ParallelOptions { MaxDegreeOfParallelism = 2 }, n =>
        {
            if (IsPrime(n))
            {
                Interlocked.Increment(ref count);
            }
        });
        return count;
    }

    [Benchmark(Description = "Primes: sequential")]
    public int PrimesSequential() => Primes.Count(IsPrime);

    public static int NoOp() => 1;

    public static int Square(int x) => x * x;

    public static byte[] Echo(byte[] data) => data;

    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n % 2 == 0)
        {
            return n == 2;
        }

        long limit = (long)Math.Sqrt(n);
        for (long i = 3; i <= limit; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>From a new pool to its first result, and back to no workers (Dispose), as Python's "with" block does.</summary>
public class ProcessPoolStartupBenchmarks
{
    [Benchmark(Description = "new ProcessPoolExecutor(1) + Submit + Result + Dispose")]
    public int FirstResult()
    {
        using var pool = new ProcessPoolExecutor(1);
        return pool.Submit(ProcessPoolBenchmarks.NoOp).Result();
    }
}

/// <summary>
/// The same with a worker prestarted (<see cref="ProcessPoolExecutor.PrestartWorkers"/>): each pool takes the
/// waiting one; before each measured call the replacement gets a second to start and warm up, as it would while an
/// app runs.
/// </summary>
[InvocationCount(1)]
public class ProcessPoolPrestartedStartupBenchmarks
{
    [GlobalSetup]
    public void Setup() => ProcessPoolExecutor.PrestartWorkers(1);

    [GlobalCleanup]
    public void Cleanup() => ProcessPoolExecutor.PrestartWorkers(0);

    [IterationSetup]
    public void LetTheReplacementStart() => Thread.Sleep(1000);

    [Benchmark(Description = "PrestartWorkers(1); new ProcessPoolExecutor(1) + Submit + Result + Dispose")]
    public int FirstResult()
    {
        using var pool = new ProcessPoolExecutor(1);
        return pool.Submit(ProcessPoolBenchmarks.NoOp).Result();
    }
}
