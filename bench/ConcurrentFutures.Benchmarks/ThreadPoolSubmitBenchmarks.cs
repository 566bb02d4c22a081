using BenchmarkDotNet.Attributes;
using ConcurrentFutures;

/// <summary>
/// The cost of handing no-op work to a pool and getting its result back: one at a time (latency of a round trip)
/// and in batches of 1,000 (throughput), ThreadPoolExecutor beside Task.Run on the .NET thread pool.
/// </summary>
[MemoryDiagnoser]
public class ThreadPoolSubmitBenchmarks
{
    private const int Batch = 1_000;
    private static readonly Func<int> NoOp = () => 1;
    private readonly Future<int>[] _futures = new Future<int>[Batch];
    private readonly Task<int>[] _tasks = new Task<int>[Batch];
    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
        _executor.Submit(NoOp).Result(); // start a thread before measuring
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(Description = "ThreadPoolExecutor Submit+Result, one at a time")]
    public int SubmitResultRoundTrip() => _executor.Submit(NoOp).Result();

    [Benchmark(Description = "Task.Run + Result, one at a time")]
    public int TaskRunRoundTrip() => Task.Run(NoOp).Result;

    [Benchmark(OperationsPerInvoke = Batch, Description = "ThreadPoolExecutor Submit x1000 then Result each")]
    public int SubmitBatch()
    {
        for (int i = 0; i < Batch; i++)
        {
            _futures[i] = _executor.Submit(NoOp);
        }

        int sum = 0;
        for (int i = 0; i < Batch; i++)
        {
            sum += _futures[i].Result();
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Task.Run x1000 then Result each")]
    public int TaskRunBatch()
    {
        for (int i = 0; i < Batch; i++)
        {
            _tasks[i] = Task.Run(NoOp);
        }

        int sum = 0;
        for (int i = 0; i < Batch; i++)
        {
            sum += _tasks[i].Result;
        }

        return sum;
    }
}
