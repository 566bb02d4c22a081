using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Tests.Processes;

public sealed class LargeArrayPoolTests
{
    private const int MB = 1024 * 1024;

    [Fact]
    public async Task ALargeArray_ReturnedOnOneThread_IsRentedAgainOnAnother()
    {
        // The shared ArrayPool keeps a returned array in the returning thread's own slot: another thread's rent missed
        // it and allocated anew, one more copy of a large value held per round trip. This pool is shared by all threads.
        int size = 37 * MB + 123; // a size no other test uses, so a parallel test cannot take the array meanwhile
        byte[] rented = LargeArrayPool.Rent(size);
        Assert.True(rented.Length >= size);
        await Task.Factory.StartNew(() => LargeArrayPool.Return(rented), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        byte[] again = await Task.Factory.StartNew(() => LargeArrayPool.Rent(size), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.Same(rented, again);
        LargeArrayPool.Return(again);
    }

    [Fact]
    public void AnArrayJustBelowTheLargeSize_IsReusedToo()
    {
        // The shared pool rounds such a length up to a power of two, LargeFrom: Return kept that array here, where a
        // rent asking the shared pool never looked, so every ~1 MB value allocated a new array.
        int size = LargeArrayPool.LargeFrom - 4321;
        LargeArrayPool.Return(LargeArrayPool.Rent(size));
        long before = GC.GetAllocatedBytesForCurrentThread();
        byte[] again = LargeArrayPool.Rent(size);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(again.Length >= size);
        LargeArrayPool.Return(again);
        Assert.True(allocated < size, $"renting {size:N0} bytes again allocated {allocated:N0}");
    }

    [Fact]
    public void ASmallArray_ComesFromTheSharedPool_AndAnyLengthAtLeastTheOneAskedFor()
    {
        byte[] small = LargeArrayPool.Rent(100);
        Assert.True(small.Length >= 100);
        LargeArrayPool.Return(small);
        byte[] odd = LargeArrayPool.Rent(LargeArrayPool.LargeFrom + 1);
        Assert.True(odd.Length >= LargeArrayPool.LargeFrom + 1);
        LargeArrayPool.Return(odd);
    }

    [Fact]
    public void PooledPayload_IsReturnedOnce_AndRefusesUseAfter()
    {
        PooledPayload payload = PooledPayload.CopyOf(new System.Buffers.ReadOnlySequence<byte>([1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, payload.ToArray());
        payload.Return();
        payload.Return(); // harmless
        Assert.Throws<ObjectDisposedException>(() => payload.Memory);
    }

    [Fact]
    public void PooledBufferWriter_KeepsWhatWasWrittenAsItGrows_AndStartsSmallAfterShrink()
    {
        var writer = new PooledBufferWriter();
        writer.GetSpan(3)[..3].Fill(7);
        writer.Advance(3);
        Span<byte> large = writer.GetSpan(5 * MB);
        large[..(5 * MB)].Fill(9);
        writer.Advance(5 * MB);
        Assert.Equal(5 * MB + 3, writer.WrittenCount);
        Assert.True(writer.WrittenSpan[..3].SequenceEqual(new byte[] { 7, 7, 7 }));
        Assert.Equal(9, writer.WrittenSpan[^1]);

        writer.Shrink(largestKept: MB);
        Assert.Equal(0, writer.WrittenCount);
        Assert.True(writer.Capacity < MB);
        writer.Reset();
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(writer.Capacity + 1));
    }
}
