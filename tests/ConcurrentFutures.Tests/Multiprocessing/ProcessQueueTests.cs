using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

public class ProcessQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void ThreeProducers_ThousandItemsEach_NothingLost_FifoPerProducer()
    {
        using var queue = new ProcessQueue<string>();
        var producers = Enumerable.Range(0, 3).Select(p => new Process(ChildFunctions.Produce, queue, p, 1_000)).ToList();
        try
        {
            producers.ForEach(p => p.Start());
            var received = Enumerable.Range(0, 3_000).Select(_ => queue.Get(Patience)).ToList();
            producers.ForEach(p => Assert.True(p.Join(Patience)));
            Assert.Equal(3_000, received.Distinct().Count());
            foreach (int producer in Enumerable.Range(0, 3))
            {
                var mine = received.Where(r => r.StartsWith($"{producer}:", StringComparison.Ordinal)).Select(r => int.Parse(r[2..])).ToList();
                Assert.Equal(Enumerable.Range(0, 1_000), mine);
            }

            Assert.False(queue.TryGet(out _, TimeSpan.FromMilliseconds(50)));
        }
        finally
        {
            producers.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public void BoundedQueue_PutAndGetTimeOut()
    {
        using var queue = new ProcessQueue<int>(maxSize: 2);
        queue.Put(1);
        queue.Put(2);
        Assert.Equal(2, queue.Count);
        Assert.Throws<TimeoutException>(() => queue.Put(3, TimeSpan.FromMilliseconds(100)));
        Assert.Equal(1, queue.Get());
        queue.Put(3, TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, queue.Get());
        Assert.Equal(3, queue.Get());
        Assert.Throws<TimeoutException>(() => queue.Get(TimeSpan.FromMilliseconds(100)));
        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public async Task AsyncTwins_WaitAndObserveCancellation()
    {
        using var queue = new ProcessQueue<int>();
        var pending = queue.GetAsync();
        await queue.PutAsync(5);
        Assert.Equal(5, await pending.AsTask().WaitAsync(Patience));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.GetAsync(cts.Token));
        queue.Put(6); // the cancelled Get took nothing
        Assert.Equal(6, queue.Get(Patience));
    }

    [Fact]
    public void Queue_PassedToProcessPoolWork_ReachesTheSameQueue()
    {
        using var queue = new ProcessQueue<int>();
        using var pool = new ProcessPoolExecutor(2);
        var counts = Enumerable.Range(0, 2).Select(_ => pool.Submit(ChildFunctions.ProduceAndCount, queue, 50)).ToList();
        Assert.All(counts, f => Assert.Equal(50, f.Result(Patience)));
        var items = Enumerable.Range(0, 100).Select(_ => queue.Get(Patience)).ToList();
        Assert.Equal(2 * Enumerable.Range(0, 50).Sum(), items.Sum());
    }

    [Fact]
    public void JoinableQueue_WithTwoWorkerProcesses_JoinsWhenAllItemsAreDone()
    {
        using var tasks = new JoinableProcessQueue<int>();
        using var results = new ProcessQueue<int>();
        var workers = Enumerable.Range(0, 2).Select(_ => new Process(ChildFunctions.Consume, tasks, results)).ToList();
        try
        {
            workers.ForEach(w => w.Start());
            for (int i = 1; i <= 20; i++)
            {
                tasks.Put(i);
            }

            tasks.Put(-1);
            tasks.Put(-1);
            tasks.Join();
            workers.ForEach(w => Assert.True(w.Join(Patience)));
            var collected = Enumerable.Range(0, 20).Select(_ => results.Get(Patience)).Order().ToList();
            Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 10), collected);
            Assert.Throws<InvalidOperationException>(tasks.TaskDone);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void AQueueInsideAnotherQueuesItem_IsTheSameQueueInTheChild()
    {
        using var requests = new ProcessQueue<ProcessQueue<string>>();
        using var reply = new ProcessQueue<string>();
        using var child = new Process(NestedQueueFunctions.Answer, requests);
        child.Start();
        requests.Put(reply);
        Assert.StartsWith("answered by ", reply.Get(Patience), StringComparison.Ordinal);
        Assert.True(child.Join(Patience));
        Assert.Equal(0, child.ExitCode);
    }

    [Fact]
    public void UnsendableItemType_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new ProcessQueue<Stream>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessQueue<int>(-1));
    }
}
