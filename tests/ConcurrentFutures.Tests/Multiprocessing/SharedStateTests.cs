using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

public class SharedStateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void TwoChildren_FillOneSharedArray()
    {
        using var array = new SharedArray<long>(1_000);
        RunAll(new Process(SharedStateFunctions.FillEveryOther, array, 0), new Process(SharedStateFunctions.FillEveryOther, array, 1));
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => (long)i * i), array.Span.ToArray());
    }

    [Fact]
    public void ThreeChildren_IncrementUnderAProcessLock_EndAtExactly6000()
    {
        using var counter = new SharedArray<long>(1);
        using var guard = new ProcessLock();
        RunAll([.. Enumerable.Range(0, 3).Select(_ => new Process(SharedStateFunctions.IncrementUnderLock, counter, guard, 2_000))]);
        Assert.Equal(6_000, counter[0]);
    }

    [Fact]
    public void ALockHeldByADeadProcess_DoesNotDeadlockTheOthers()
    {
        using var guard = new ProcessLock();
        RunAll(new Process(SharedStateFunctions.DieHoldingTheLock, guard));
        Assert.True(guard.TryAcquire(Patience));
        guard.Release();
    }

    [Fact]
    public void ReleasingAFreeLock_ThrowsSynchronizationLockException_AndAnyThreadMayReleaseAHeldOne()
    {
        using var guard = new ProcessLock();
        var free = Assert.Throws<SynchronizationLockException>(guard.Release); // never acquired
        Assert.Contains("not held", free.Message, StringComparison.Ordinal);

        guard.Acquire();
        Assert.False(guard.TryAcquire(TimeSpan.FromMilliseconds(50))); // not recursive, as Python's Lock
        var other = new Thread(guard.Release); // as in Python, another thread may release it
        other.Start();
        other.Join();
        Assert.True(guard.TryAcquire(TimeSpan.Zero));
        guard.Release();
        Assert.Throws<SynchronizationLockException>(guard.Release); // only once
    }

    [Fact]
    public async Task AcquireAsync_WaitsForTheHolder_ObservesCancellation_AndWorksAcrossAwaits()
    {
        using var guard = new ProcessLock();
        using (await guard.HoldAsync())
        {
            using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => guard.AcquireAsync(soon.Token)); // during the wait
            await Task.Yield(); // the scope may end on another thread
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => guard.AcquireAsync(new CancellationToken(canceled: true))); // before: not taken
        Task waiting = guard.AcquireAsync();
        Assert.True(waiting.IsCompleted); // it was free
        Task second = guard.AcquireAsync();
        Assert.False(second.IsCompleted);
        guard.Release();
        await second.WaitAsync(Patience);
        guard.Release();
    }

    [Fact]
    public async Task JoinAsync_WaitsUntilEveryItemIsDone_AndObservesCancellation()
    {
        using var queue = new JoinableProcessQueue<int>();
        await queue.JoinAsync().WaitAsync(Patience); // nothing put: done at once
        queue.Put(1);
        queue.Put(2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.JoinAsync(new CancellationToken(canceled: true)));
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.JoinAsync(soon.Token));
        }

        Task joined = queue.JoinAsync();
        Assert.Equal(1, queue.Get());
        queue.TaskDone();
        Assert.False(joined.IsCompleted);
        Assert.Equal(2, queue.Get());
        queue.TaskDone();
        await joined.WaitAsync(Patience);
    }

    [Fact]
    public void AnEventSetByAChild_WakesTheParent()
    {
        using var ready = new ProcessEvent();
        Assert.False(ready.IsSet);
        Assert.False(ready.Wait(TimeSpan.FromMilliseconds(20)));
        using var child = new Process(SharedStateFunctions.SetEvent, ready);
        child.Start();
        Assert.True(ready.Wait(Patience));
        Assert.True(child.Join(Patience));
        ready.Clear();
        Assert.False(ready.IsSet);
    }

    [Fact]
    public void Semaphore_CountsAcrossProcesses()
    {
        using var semaphore = new ProcessSemaphore(1);
        Assert.True(semaphore.TryAcquire(TimeSpan.Zero));
        Assert.False(semaphore.TryAcquire(TimeSpan.FromMilliseconds(20)));
        RunAll(new Process(SharedStateFunctions.ReleaseSemaphore, semaphore));
        Assert.True(semaphore.TryAcquire(Patience));
        Assert.Equal(0, semaphore.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessSemaphore(-1));
    }

    [Fact]
    public async Task AsyncWaits_CompleteWhenAChildSetsOrReleases_AndObserveCancellation()
    {
        using var ready = new ProcessEvent();
        using var semaphore = new ProcessSemaphore(0);
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ready.WaitAsync(cts.Token));
        }

        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => semaphore.AcquireAsync(cts.Token));
        }

        Task waiting = ready.WaitAsync();
        Task acquiring = semaphore.AcquireAsync();
        RunAll(new Process(SharedStateFunctions.SetEvent, ready), new Process(SharedStateFunctions.ReleaseSemaphore, semaphore));
        await waiting.WaitAsync(Patience);
        await acquiring.WaitAsync(Patience);
        Assert.Equal(0, semaphore.Count); // the cancelled acquire took nothing; the async one took the released slot
    }

    [Fact]
    public void SharedMemory_WrittenByAChild_IsReadByTheParent_UntilUnlinked()
    {
        using var block = new SharedMemory(size: 64);
        RunAll(new Process(SharedStateFunctions.WriteGreeting, block));
        Assert.True(block.Span[..5].SequenceEqual("hello"u8));
        using (var again = new SharedMemory(block.Name, create: false))
        {
            Assert.Equal(64, again.Size);
        }

        Assert.Throws<IOException>(() => new SharedMemory(block.Name, create: true, size: 8));
        block.Unlink();
        Assert.Throws<FileNotFoundException>(() => new SharedMemory(block.Name, create: false));
        Assert.Throws<ArgumentException>(() => new SharedMemory("../etc/passwd", create: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedMemory(size: 0));
    }

    private static void RunAll(params Process[] processes)
    {
        try
        {
            foreach (Process process in processes)
            {
                process.Start();
            }

            foreach (Process process in processes)
            {
                Assert.True(process.Join(Patience), $"{process} did not finish");
            }
        }
        finally
        {
            foreach (Process process in processes)
            {
                process.Dispose();
            }
        }
    }
}
