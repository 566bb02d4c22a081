using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

/// <summary>The shared-memory ring under queues and pipes: crashes inside it, overflow, large items.</summary>
public class SharedRingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void AConsumerKilledWhileWaiting_LosesNothing()
    {
        using var queue = new ProcessQueue<int>();
        using var started = new ProcessEvent();
        using var consumer = new Process(SharedRingFunctions.WaitInGet, queue, started);
        consumer.Start();
        Assert.True(started.Wait(Patience));
        Thread.Sleep(200); // let it fall asleep inside Get
        consumer.Kill();
        Assert.True(consumer.Join(Patience));
        Assert.Equal(-9, consumer.ExitCode);

        for (int i = 0; i < 100; i++)
        {
            queue.Put(i);
        }

        Assert.Equal(Enumerable.Range(0, 100), Enumerable.Range(0, 100).Select(_ => queue.Get(Patience)));
    }

    [Fact]
    public unsafe void ALockHolderThatDied_IsReplaced_AndItsJournaledCommitIsFinished()
    {
        using var queue = new ProcessQueue<int>();
        queue.Put(1);
        int deadPid = DeadProcessId();
        SharedRing ring = RingOf(queue);

        // As if a process died holding the lock in the middle of a commit: the journal is written and marked valid,
        // the live fields are not updated yet. The change journaled here is visible: 5 unfinished tasks.
        ring.Header->JournalHead = ring.Header->Head;
        ring.Header->JournalTail = ring.Header->Tail;
        ring.Header->JournalCount = ring.Header->Count;
        ring.Header->JournalUnfinished = 5;
        ring.Header->JournalValid = 1;
        ring.Header->LockHolder = deadPid;

        queue.Put(2, TimeSpan.FromSeconds(30));
        Assert.Equal(0, ring.Header->JournalValid);
        Assert.Equal(5, ring.Header->Unfinished); // the journal was applied by the next holder
        Assert.Equal(1, queue.Get(Patience));
        Assert.Equal(2, queue.Get(Patience));
        Assert.Equal(0, ring.Header->LockHolder);
    }

    [Fact]
    public void ALargeRecordWhoseProducerDiedWhileCopyingItIn_IsDropped_AndTheNextItemArrives()
    {
        using var queue = new JoinableProcessQueue<byte[]>();
        SharedRing ring = RingOf(queue);
        long first = TailPosition(ring);
        queue.Put(Filled(SharedRing.CopyOutsideTheLockFrom, 1));
        queue.Put(Filled(100, 2));

        // As if its producer had reserved the room and died before marking it ready: the record says "being written by".
        RecordKind(ring, first) = -DeadProcessId();
        byte[] next = queue.Get(Patience);
        Assert.Equal(Filled(100, 2), next);
        Assert.Equal(0, queue.Count);
        queue.TaskDone();
        Assert.True(queue.Join(TimeSpan.FromSeconds(5))); // the dropped item was never put: one task, done
    }

    [Fact]
    public async Task ALargeRecordStillBeingCopiedIn_IsWaitedFor_ThenTakenWhole()
    {
        using var queue = new ProcessQueue<byte[]>();
        SharedRing ring = RingOf(queue);
        long first = TailPosition(ring);
        byte[] item = Filled(SharedRing.CopyOutsideTheLockFrom + 1, 3);
        queue.Put(item);
        RecordKind(ring, first) = -Environment.ProcessId; // its producer (alive) has not marked it ready yet

        Assert.False(queue.TryGet(out _, TimeSpan.FromMilliseconds(200)));
        Task<byte[]> waiting = Task.Run(() => queue.Get(Patience));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        MarkReady(ring, first);
        Assert.Equal(item, await waiting.WaitAsync(Patience));
    }

    [Theory]
    [InlineData(SharedRing.CopyOutsideTheLockFrom - 4)] // serialized (3 bytes of header) just below the size copied in outside the lock
    [InlineData(SharedRing.CopyOutsideTheLockFrom - 3)] // serialized at it, through the serializer's buffers
    [InlineData(SharedRing.CopyOutsideTheLockFrom)] // from here (5 bytes of header) straight in and out, one copy each
    [InlineData((2 * 1024 * 1024) - 8 - 5)] // the largest byte array that goes inline in a 4 MB ring
    [InlineData((2 * 1024 * 1024) - 8 - 4)] // the smallest that goes through a file
    public void ByteArraysAroundTheSizesWhereTheyTravelDifferently_ArriveIntact_ThroughAQueueAndAPipe(int size)
    {
        byte[] item = Filled(size, 5);
        using var inbox = new ProcessQueue<byte[]>();
        using var outbox = new ProcessQueue<byte[]>();
        using var echo = new Process(SharedRingFunctions.EchoBytes, inbox, outbox);
        echo.Start();
        inbox.Put(item);
        (Connection mine, Connection theirs) = Pipe.Create();
        using (mine)
        using (theirs)
        {
            using var piped = new Process(SharedRingFunctions.EchoThroughPipe, theirs);
            piped.Start();
            mine.Send(item);
            Assert.Equal(item, mine.Receive<byte[]>());
            mine.SendBytes(item);
            Assert.Equal(item, mine.ReceiveBytes());
            Assert.True(piped.Join(Patience));
            Assert.Equal(0, piped.ExitCode);
        }

        Assert.Equal(item, outbox.Get(Patience));
        Assert.True(echo.Join(Patience));
        Assert.Equal(0, echo.ExitCode);
    }

    [Fact]
    public void AnUnboundedQueue_TakesMoreThanItsSharedMemory_WithoutBlocking_AndKeepsOrder()
    {
        using var queue = new ProcessQueue<byte[]>();
        using var allPut = new ProcessEvent();
        using var producer = new Process(SharedRingFunctions.FloodAndExit, queue, 40, 256 * 1024, allPut); // 10 MB > the 4 MB ring
        producer.Start();
        Assert.True(allPut.Wait(Patience)); // every Put returned although nobody took anything yet
        for (int i = 0; i < 40; i++)
        {
            byte[] item = queue.Get(Patience);
            Assert.Equal(256 * 1024, item.Length);
            Assert.Equal(i, BitConverter.ToInt32(item));
        }

        Assert.True(producer.Join(Patience)); // its exit waited until the last items were in the ring, then ended
        Assert.Equal(0, producer.ExitCode);
        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public void ItemsLargerThanHalfTheRing_TravelThroughAFile_ThatIsRemoved()
    {
        using var queue = new ProcessQueue<byte[]>();
        byte[] big = new byte[6 * 1024 * 1024];
        big[^1] = 7;
        queue.Put(big);
        string prefix = Path.GetFileName(RingOf(queue).Path) + "-";
        Assert.Single(Directory.EnumerateFiles(ConcurrentFutures.Processes.SharedMemoryTransport.Directory, prefix + "*"));
        byte[] back = queue.Get(Patience);
        Assert.Equal(big.Length, back.Length);
        Assert.Equal(7, back[^1]);
        Assert.Empty(Directory.EnumerateFiles(ConcurrentFutures.Processes.SharedMemoryTransport.Directory, prefix + "*"));
    }

    [Fact]
    public void ClosingTheQueueInItsCreator_FailsWaitingCalls()
    {
        var queue = new ProcessQueue<int>(maxSize: 1);
        var waiting = Task.Run(() => queue.Get(Patience));
        Thread.Sleep(100);
        queue.Close();
        // The waiting Get wakes to the ring's closed flag (InvalidOperationException, as in every process) or, if it
        // looks again after the creator's handle is gone, to that (ObjectDisposedException, an InvalidOperationException).
        var failure = Assert.ThrowsAny<InvalidOperationException>(() => waiting.GetAwaiter().GetResult());
        Assert.Matches("closed (in this process|by the process that created it)", failure.Message);
        Assert.Throws<ObjectDisposedException>(() => queue.Put(1));
    }

    [Fact]
    public void AnotherProcessesWaitingGet_FailsWhenTheCreatorClosesTheQueue()
    {
        var queue = new ProcessQueue<int>();
        using var started = new ProcessEvent();
        using var report = new ProcessQueue<string>();
        using var consumer = new Process(SharedRingFunctions.ReportHowGetEnds, queue, started, report);
        consumer.Start();
        Assert.True(started.Wait(Patience));
        Thread.Sleep(200); // let it fall asleep inside Get (a Get that starts after the close fails the same way)
        queue.Close();
        string ended = report.Get(Patience);
        Assert.StartsWith("InvalidOperationException: ", ended, StringComparison.Ordinal);
        Assert.Contains("closed", ended, StringComparison.Ordinal);
        Assert.True(consumer.Join(Patience));
        Assert.Equal(0, consumer.ExitCode);
    }

    [Fact]
    public void APipe_CarriesALargeMessage_AndEndsWhenTheOtherProcessIsKilled()
    {
        var (parent, child) = Pipe.Create();
        using (parent)
        using (child)
        using (var process = new Process(SharedRingFunctions.SendLargeThenHang, child, 3 * 1024 * 1024))
        {
            process.Start();
            byte[] data = parent.ReceiveBytes();
            Assert.Equal(3 * 1024 * 1024, data.Length);
            Assert.Equal(42, data[^1]);
            process.Kill();
            Assert.True(process.Join(Patience));
            Assert.Throws<EndOfStreamException>(() => parent.ReceiveBytes());
            Assert.Throws<EndOfStreamException>(() => parent.Send(1)); // nobody reads any more
        }
    }

    [Fact]
    public async Task BoundedPutAsync_WaitsForRoom_AndACancelledOneAddsNothing()
    {
        using var queue = new ProcessQueue<int>(maxSize: 1);
        await queue.PutAsync(1);
        var waiting = queue.PutAsync(2).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, queue.Get(Patience));
        await waiting.WaitAsync(Patience);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.PutAsync(3, cts.Token));
        Assert.Equal(2, queue.Get(Patience));
        Assert.False(queue.TryGet(out _, TimeSpan.FromMilliseconds(50))); // the cancelled 3 is not there
    }

    [Fact]
    public void JoinWithATimeout_SaysWhetherEveryTaskWasDone()
    {
        using var queue = new JoinableProcessQueue<int>();
        queue.Put(1);
        Assert.False(queue.Join(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(1, queue.Get(Patience));
        queue.TaskDone();
        Assert.True(queue.Join(TimeSpan.FromSeconds(5)));
        Assert.Throws<InvalidOperationException>(queue.TaskDone);
    }

    [Fact]
    public void ThreeProducersAndTwoConsumers_RandomSizesWrappingTheRingManyTimes_EveryItemOnceIntactAndInOrder()
    {
        const int PerProducer = 100; // ~15 MB each, random sizes: the 4 MB ring wraps about ten times
        using var queue = new ProcessQueue<byte[]>();
        using var report = new ProcessQueue<string>();
        var producers = Enumerable.Range(0, 3).Select(p => new Process(RingStressFunctions.Produce, queue, p, PerProducer)).ToList();
        var consumers = Enumerable.Range(0, 2).Select(_ => new Process(RingStressFunctions.Consume, queue, report)).ToList();
        try
        {
            consumers.ForEach(c => c.Start());
            producers.ForEach(p => p.Start());
            var seen = Enumerable.Range(0, 3 * PerProducer).Select(_ => report.Get(Patience).Split(':')).ToList();
            producers.ForEach(p => Assert.True(p.Join(Patience)));
            queue.Put([]);
            queue.Put([]);
            consumers.ForEach(c => Assert.True(c.Join(Patience)));

            Assert.All(seen, s => Assert.Equal("ok", s[2]));
            Assert.Equal(3 * PerProducer, seen.Select(s => $"{s[0]}:{s[1]}").Distinct().Count());
            foreach (int producer in Enumerable.Range(0, 3))
            {
                int[] numbers = [.. seen.Where(s => s[0] == $"{producer}").Select(s => int.Parse(s[1], System.Globalization.CultureInfo.InvariantCulture))];
                Assert.Equal(Enumerable.Range(0, PerProducer), numbers.Order()); // each item once

                // In order: each consumer takes a producer's items in the order it put them (a consumer's reports
                // arrive in the order it sent them; between two consumers the interleaving is free).
                foreach (IGrouping<string, string[]> consumer in seen.Where(s => s[0] == $"{producer}").GroupBy(s => s[3]))
                {
                    int[] taken = [.. consumer.Select(s => int.Parse(s[1], System.Globalization.CultureInfo.InvariantCulture))];
                    Assert.Equal(taken.Order(), taken);
                }
            }

            Assert.False(report.TryGet(out _, TimeSpan.FromMilliseconds(50)));
        }
        finally
        {
            producers.Concat(consumers).ToList().ForEach(p => p.Dispose());
        }
    }

    private static SharedRing RingOf<T>(ProcessQueue<T> queue) =>
        (SharedRing)typeof(ProcessQueue<T>).GetField("_ring", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(queue)!;

    private static unsafe long TailPosition(SharedRing ring) => ring.Header->Tail % ring.Capacity;

    /// <summary>What its producer does once the record is copied in: marks it ready and wakes consumers.</summary>
    private static unsafe void MarkReady(SharedRing ring, long position)
    {
        RecordKind(ring, position) = SharedRing.InlineKind;
        SharedRing.Signal(&ring.Header->ItemsSeq, &ring.Header->ItemsWaiters);
    }

    private static unsafe ref int RecordKind(SharedRing ring, long position) =>
        ref *(int*)((byte*)ring.Header + RingHeader.Size + position + 4);

    private static byte[] Filled(int size, int seed)
    {
        byte[] bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static int DeadProcessId()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
