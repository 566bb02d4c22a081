namespace ConcurrentFutures.Tests.Processes;

/// <summary>What a submission to a process pool allocates on the submitting thread (garbage that every Map item and Submit makes).</summary>
[Collection(RunsAlone.Name)]
public class SubmitAllocationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A submit with one int argument allocates its call, its future (and the future's lock), the pool's task and the
    /// encoded arguments: ~280 bytes here (the int is written without boxing it into an argument array). A closure
    /// allocated on every call by a method that needs it only on a rare path (a done-callback capturing a parameter),
    /// a writer object per submission, or the boxed argument array shows up as 24–56 bytes more (440 bytes per submit
    /// before they were moved out of the way).
    /// </summary>
    [Fact]
    public void ASubmitWithAnIntArgument_AllocatesOnlyItsCallFutureTaskAndEncodedArguments()
    {
        Assert.False(ExecutorTelemetry.IsObserving, "a telemetry listener is attached: submissions are observed and allocate more");
        const int Count = 5_000;
        using var pool = new ProcessPoolExecutor(2);
        var futures = new Future<int>[Count];
        double perSubmit = double.MaxValue;
        for (int round = 0; round < 3; round++) // the first rounds grow the pool's queues; the last is the steady state
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Count; i++)
            {
                futures[i] = pool.Submit(WorkerFunctions.Twice, i);
            }

            perSubmit = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Count;
            Assert.All(futures.Select((f, i) => (f, i)), x => Assert.Equal(2 * x.i, x.f.Result(Patience)));
        }

        Assert.True(perSubmit <= 300, $"{perSubmit:F0} bytes allocated per submit on the submitting thread");
    }
}
