using System.Net;
using System.Net.Sockets;
using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Tests.Processes;

public sealed class PayloadSlabTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const int MB = 1024 * 1024;

    private readonly string _prefix = Path.Combine(SharedMemoryTransport.Directory, $"cf-slabtest-{Guid.NewGuid():N}-");

    public void Dispose() => SharedMemoryTransport.DeleteAll(_prefix);

    [Fact]
    public void ASlab_IsReusedOnceReleased_AndNotBefore()
    {
        using var slabs = new PayloadSlabs(_prefix);
        byte[] first = Filled(2 * MB, 1);
        PayloadSlab a = slabs.TryWrite(first)!;
        PayloadSlab b = slabs.TryWrite(Filled(2 * MB, 2))!;
        Assert.NotEqual(a.Path, b.Path);

        using var mappings = new SlabMappings(_prefix);
        Assert.True(mappings.Read(a.Path, release: true, s => System.Buffers.BuffersExtensions.ToArray(s).AsSpan().SequenceEqual(first)));
        PayloadSlab c = slabs.TryWrite(Filled(MB + 5, 3))!;
        Assert.Equal(a.Path, c.Path);
        Assert.Equal(MB + 5, mappings.Read(c.Path, release: false, s => s.Length));
        Assert.False(c.IsFree);
    }

    [Fact]
    public void AFreeSlabFarLargerThanThePayload_IsLeftForPayloadsOfItsSize()
    {
        using var slabs = new PayloadSlabs(_prefix);
        PayloadSlab large = slabs.TryWrite(Filled(12 * MB, 1))!;
        large.Release();
        PayloadSlab small = slabs.TryWrite(Filled(2 * MB, 2))!; // 12 MB is more than twice 2 MB and a step: a slab of its own
        Assert.NotEqual(large.Path, small.Path);
        Assert.True(large.IsFree);
        Assert.Equal(large.Path, slabs.TryWrite(Filled(6 * MB, 3))!.Path); // half of it: taken
        Assert.Equal(14 * MB, slabs.TotalBytes);
    }

    [Fact]
    public void ALargeSlab_StaysMappedUntilDropped_WhereAskedFor_AndIsUnmappedAfterItsReadOtherwise()
    {
        using var slabs = new PayloadSlabs(_prefix);
        PayloadSlab large = slabs.TryClaim(65 * MB)!; // above the 64 MB a reader keeps mapped by default
        PayloadSlab small = slabs.TryWrite(Filled(MB, 1))!;
        large.SetLength(10);

        using var unmapping = new SlabMappings(_prefix);
        Assert.Equal(10, unmapping.Read(large.Path, release: false, s => s.Length));
        Assert.Equal(0, unmapping.MappedBytes);

        using var keeping = new SlabMappings(_prefix, keepLargeUntilDropped: true);
        Assert.Equal(10, keeping.Read(large.Path, release: false, s => s.Length));
        Assert.Equal(MB, keeping.Read(small.Path, release: false, s => s.Length));
        long both = keeping.MappedBytes;
        Assert.True(both > 66L * MB, $"{both} bytes mapped");
        keeping.DropLarge();
        Assert.Equal(both - large.Capacity - PayloadSlab.HeaderSize, keeping.MappedBytes); // the small one stays
    }

    [Fact]
    public void AKeptMapping_OfASlabItsOwnerDeleted_IsUnmappedWhenTheNextSlabIsMapped()
    {
        using var slabs = new PayloadSlabs(_prefix, maxTotalBytes: 100 * MB);
        PayloadSlab first = slabs.TryClaim(65 * MB)!;
        first.SetLength(10);
        using var keeping = new SlabMappings(_prefix, keepLargeUntilDropped: true);
        Assert.Equal(10, keeping.Read(first.Path, release: true, s => s.Length));
        Assert.True(keeping.MappedBytes > 65L * MB);

        PayloadSlab second = slabs.TryClaim(70 * MB)!; // no room beside the free first one under the cap: it is deleted
        Assert.False(File.Exists(first.Path));
        second.SetLength(20);
        Assert.Equal(20, keeping.Read(second.Path, release: false, s => s.Length));
        Assert.Equal(second.Capacity + PayloadSlab.HeaderSize, keeping.MappedBytes); // only the second is still mapped
    }

    [Fact]
    public void Slabs_StopAtTheirCap_AndMakeRoomByDroppingFreeOnes()
    {
        using var slabs = new PayloadSlabs(_prefix, maxTotalBytes: 4 * MB);
        PayloadSlab a = slabs.TryWrite(Filled(2 * MB, 1))!;
        PayloadSlab b = slabs.TryWrite(Filled(2 * MB, 2))!;
        Assert.Null(slabs.TryWrite(Filled(MB, 3))); // both busy, no room: the caller uses a one-off file

        a.Release();
        b.Release();
        PayloadSlab big = slabs.TryWrite(Filled(3 * MB, 4))!; // neither fits: both free ones go to make room
        Assert.False(File.Exists(a.Path));
        Assert.False(File.Exists(b.Path));
        Assert.True(File.Exists(big.Path));
        slabs.Dispose();
        Assert.False(File.Exists(big.Path));
        Assert.Null(slabs.TryWrite(Filled(MB, 5)));
    }

    [Fact]
    public async Task ASlabFilledThroughItsFile_IsReadInPlace_AndAResultHeldThroughItsFile_FreesItForItsOwner()
    {
        using var slabs = new PayloadSlabs(_prefix);
        byte[] payload = Filled(3 * MB + 17, 5);
        PayloadSlab slab = slabs.TryClaim(payload.Length)!;
        await SlabFile.FillAsync(slab, new MemoryStream(payload), payload.Length, CancellationToken.None);
        using var mappings = new SlabMappings(_prefix);
        Assert.True(mappings.Read(slab.Path, release: false, s => System.Buffers.BuffersExtensions.ToArray(s).AsSpan().SequenceEqual(payload)));

        // A silo passing a worker's result on: sent from the file to a socket, then the slab freed through it.
        SlabResult held = SlabResult.Open(slab.Path);
        Assert.Equal(payload.Length, held.Length);
        (Socket client, Socket server) = await ConnectedPairAsync();
        using Socket clientEnd = client, serverEnd = server;
        byte[] received = new byte[payload.Length];
        Task receiving = Task.Run(async () =>
        {
            using var stream = new NetworkStream(client);
            await stream.ReadExactlyAsync(received);
        });
        await held.SendAsync(server, CancellationToken.None);
        await receiving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(received.AsSpan().SequenceEqual(payload));
        Assert.True(held.ToArray().AsSpan().SequenceEqual(payload));
        Assert.False(slab.IsFree);
        held.Return();
        Assert.True(slab.IsFree);
        held.Return(); // harmless
        Assert.Throws<ObjectDisposedException>(() => held.ToArray());
    }

    [Fact]
    public async Task AResultSentFromItsSlab_FailsWhenItsClientIsGone_AndStopsWhenCancelled_NeverHangs()
    {
        using var slabs = new PayloadSlabs(_prefix);
        byte[] payload = Filled(32 * MB, 6); // more than the sockets' buffers hold
        PayloadSlab slab = slabs.TryClaim(payload.Length)!;
        await SlabFile.FillAsync(slab, new MemoryStream(payload), payload.Length, CancellationToken.None);

        // The client closed its connection: the send fails, it does not wait for a reader that will never come.
        SlabResult held = SlabResult.Open(slab.Path);
        (Socket gone, Socket toGone) = await ConnectedPairAsync();
        gone.Dispose();
        using (toGone)
        {
            Exception? failure = await Record.ExceptionAsync(() => held.SendAsync(toGone, CancellationToken.None).WaitAsync(Patience));
            Assert.IsType<SocketException>(failure);
        }

        // A client that stays connected but never reads: cancelling (the silo stopping) ends the send.
        (Socket idle, Socket toIdle) = await ConnectedPairAsync();
        using (idle)
        using (toIdle)
        using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            Exception? failure = await Record.ExceptionAsync(() => held.SendAsync(toIdle, stop.Token).WaitAsync(Patience));
            Assert.True(failure is SocketException or ObjectDisposedException, $"Got {failure?.GetType().Name ?? "no exception"}.");
        }

        held.Return();
        Assert.True(slab.IsFree);
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await listener.AcceptAsync());
    }

    [Fact]
    public void ASlabNamedWithItsToken_OpensHere_AndAnyOtherFileOrTokenDoesNot()
    {
        using var slabs = new PayloadSlabs(_prefix);
        PayloadSlab slab = slabs.TryClaim(MB)!;
        byte[] token = Filled(PayloadSlab.TokenLength, 7);
        SlabFile.WriteToken(slab.Path, token);

        using (Microsoft.Win32.SafeHandles.SafeFileHandle? opened = SlabFile.OpenNamed(slab.Path, token, MB, FileAccess.ReadWrite))
        {
            Assert.NotNull(opened);
            RandomAccess.Write(opened, Filled(MB, 8), PayloadSlab.HeaderSize); // the payload's place: the token stays
        }

        Assert.NotNull(SlabFile.OpenNamed(slab.Path, token, MB, FileAccess.Read));
        byte[] other = Filled(PayloadSlab.TokenLength, 9);
        Assert.Null(SlabFile.OpenNamed(slab.Path, other, MB, FileAccess.Read)); // another slab's token: not the file named
        Assert.Null(SlabFile.OpenNamed(slab.Path, token, slab.Capacity + 1, FileAccess.Read)); // no room for the length announced
        Assert.Null(SlabFile.OpenNamed(_prefix + "gone", token, MB, FileAccess.Read)); // not on this machine
        string outside = Path.Combine(Path.GetTempPath(), Path.GetFileName(slab.Path));
        File.Copy(slab.Path, outside);
        try
        {
            Assert.Null(SlabFile.OpenNamed(outside, token, MB, FileAccess.Read)); // same bytes, but not a slab's place
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void AResultWithALargePiece_IsWrittenStraightIntoASlab_AndSmallOnesStayInScratch()
    {
        using var slabs = new PayloadSlabs(_prefix);
        var scratch = new PooledBufferWriter();
        var results = new SlabWriter(scratch, slabs);
        using var mappings = new SlabMappings(_prefix);

        // Small results: the scratch buffer, as before.
        results.Reset();
        byte[] small = Serialize(results, ["a", Filled(1000, 1)]);
        Assert.Null(results.Finish());
        Assert.Equal(small, scratch.WrittenSpan.ToArray());

        // One large array among small values: everything in one slab, in order, nothing in scratch.
        results.Reset();
        byte[] large = Serialize(results, ["before", Filled(3 * MB, 2), 42]);
        PayloadSlab slab = results.Finish()!;
        Assert.Equal(0, scratch.WrittenCount);
        Assert.Equal(large, mappings.Read(slab.Path, release: true, s => System.Buffers.BuffersExtensions.ToArray(s)));

        // A second large piece that does not fit the slab (the 4 MB one, free again): back to the scratch buffer,
        // intact, and the slab freed.
        results.Reset();
        byte[] two = Serialize(results, [Filled(SharedMemoryTransport.Threshold, 3), Filled(4 * MB, 4)]);
        Assert.Null(results.Finish());
        Assert.Equal(two, scratch.WrittenSpan.ToArray());
        PayloadSlab reclaimed = slabs.TryClaim(2 * MB)!;
        Assert.Equal(slab.Path, reclaimed.Path);
        reclaimed.Release();

        // A call that failed after its result went into a slab: the next call's start frees it.
        results.Reset();
        _ = Serialize(results, [Filled(2 * MB, 5)]);
        results.Reset();
        reclaimed = slabs.TryClaim(2 * MB)!;
        Assert.Equal(slab.Path, reclaimed.Path);
    }

    /// <summary>Writes <paramref name="values"/> as MessagePack to <paramref name="output"/>; returns the same serialized to an array, to compare.</summary>
    private static byte[] Serialize(System.Buffers.IBufferWriter<byte> output, object[] values)
    {
        var writer = new MessagePack.MessagePackWriter(output);
        MessagePack.MessagePackSerializer.Serialize(ref writer, values, MessagePack.Resolvers.ContractlessStandardResolver.Options);
        writer.Flush();
        return MessagePack.MessagePackSerializer.Serialize(values, MessagePack.Resolvers.ContractlessStandardResolver.Options);
    }

    [Fact]
    public void AFreeSlab_UnusedForItsIdleLifetime_IsDeleted_AndOneInUseIsKept()
    {
        using var slabs = new PayloadSlabs(_prefix, idleLifetime: TimeSpan.FromMilliseconds(50));
        PayloadSlab free = slabs.TryWrite(Filled(2 * MB, 1))!;
        PayloadSlab busy = slabs.TryWrite(Filled(2 * MB, 2))!;
        free.Release();
        Thread.Sleep(100);
        slabs.DeleteIdle(); // what its timer does
        Assert.False(File.Exists(free.Path));
        Assert.True(File.Exists(busy.Path));
        Assert.Equal(2 * MB, slabs.TotalBytes);

        busy.Release();
        Assert.True(SpinWait.SpinUntil(() => !File.Exists(busy.Path), Patience)); // the timer's own sweep
        Assert.Equal(0, slabs.TotalBytes);
        Assert.NotNull(slabs.TryWrite(Filled(MB, 3))); // and slabs are made again
    }

    [Fact]
    public void ADamagedLengthOrAForeignPath_IsRefused_WithoutReadingOutsideTheSlab()
    {
        using var slabs = new PayloadSlabs(_prefix);
        PayloadSlab slab = slabs.TryWrite(Filled(MB, 1))!;
        using (var file = new FileStream(slab.Path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 8;
            file.Write(BitConverter.GetBytes(long.MaxValue / 2));
        }

        using var mappings = new SlabMappings(_prefix);
        Assert.Throws<InvalidDataException>(() => mappings.Read(slab.Path, release: true, s => s.Length));
        Assert.True(slab.IsFree); // released even so
        Assert.Throws<InvalidDataException>(() => SlabResult.Open(slab.Path)); // nor through its file
        Assert.Throws<InvalidDataException>(() => mappings.Read("/etc/passwd", release: false, s => s.Length));
        Assert.Throws<InvalidDataException>(() => mappings.Read(_prefix + "../x", release: false, s => s.Length));
    }

    [Fact]
    public void ManyLargeArgumentsAndResults_InFlightAtOnce_ArriveIntactAndInOrder()
    {
        using var pool = new ProcessPoolExecutor(2);
        // The first just below the size that goes through slabs (inline through the socket), the others above.
        List<byte[]> inputs = Enumerable.Range(0, 12).Select(i => Filled(SharedMemoryTransport.Threshold - 1_000 + (i * 100_000), i)).ToList();
        for (int round = 0; round < 3; round++)
        {
            List<byte[]> outputs = pool.Map(WorkerFunctions.Reversed, inputs, Patience).ToList();
            for (int i = 0; i < inputs.Count; i++)
            {
                byte[] expected = (byte[])inputs[i].Clone();
                Array.Reverse(expected);
                Assert.True(expected.AsSpan().SequenceEqual(outputs[i]), $"round {round}, item {i} came back wrong");
            }
        }
    }

    [Fact]
    public void LargeArgumentsQueuedOnAWorkerThatDies_RunAgainFromTheSameSlabs()
    {
        using var pool = new ProcessPoolExecutor(1);
        var exiting = pool.Submit(WorkerFunctions.ExitWith, 3);
        List<byte[]> inputs = Enumerable.Range(0, 6).Select(i => Filled(2 * MB, 10 + i)).ToList();
        var queued = inputs.Select(data => pool.Submit(WorkerFunctions.Reversed, data)).ToList();
        Assert.Throws<BrokenProcessPoolException>(() => exiting.Result(Patience));
        var later = inputs.Select(data => pool.Submit(WorkerFunctions.Length, data)).ToList(); // may reuse released slabs
        for (int i = 0; i < inputs.Count; i++)
        {
            byte[] expected = (byte[])inputs[i].Clone();
            Array.Reverse(expected);
            Assert.True(expected.AsSpan().SequenceEqual(queued[i].Result(Patience)), $"item {i} came back wrong");
            Assert.Equal(2 * MB, later[i].Result(Patience));
        }
    }

    [Fact]
    public void ASlabBeingWritten_StaysMappedUntilItsWriterLetsGo_EvenIfItsOwnerDisposesIt()
    {
        var slabs = new PayloadSlabs(_prefix);
        PayloadSlab slab = slabs.TryClaim(MB)!;
        IDisposable pin = slab.TryPin()!;
        Memory<byte> room = slab.Room(0);
        slabs.Dispose(); // a pool shutting down while a call's arguments are written: its slabs are unmapped
        room.Span.Fill(7); // unmapped under the writer, this would end the test process (SIGSEGV)
        Assert.Equal(7, room.Span[MB - 1]);
        Assert.Throws<ObjectDisposedException>(() => slab.Room(0)); // writing on is refused
        Assert.Null(slab.TryPin());
        pin.Dispose(); // now unmapped

        // The writer's side: a write that asks for room after the disposal fails, and the writer starts over cleanly.
        using var others = new PayloadSlabs(_prefix + "w-");
        var writer = new SlabWriter(new PooledBufferWriter(), others);
        writer.Reset();
        Span<byte> first = writer.GetSpan(SharedMemoryTransport.Threshold);
        first[..10].Fill(1);
        writer.Advance(10);
        others.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.GetSpan(SharedMemoryTransport.Threshold));
        writer.Reset();
        Assert.Null(writer.Finish());
    }

    [Fact]
    public void ArgumentsThatFailAfterTheirLargePiece_FreeTheSlabItWentInto()
    {
        using var pool = new ProcessPoolExecutor(1);
        string prefix = WorkerFunctions.SettingOf(pool, WorkerEnvironment.SharedMemoryPrefix);
        byte[] data = Filled(3 * MB, 1);
        Assert.True(data.AsSpan().SequenceEqual(pool.Submit(WorkerFunctions.Echo, data).Result(Patience))); // straight into a slab, and back

        // Its slab is released by a done-callback, which may still be running on another thread when Result returns
        // (as in Python, waiters are woken before callbacks run): a call in that moment would find it busy and make another.
        Assert.True(SpinWait.SpinUntil(() => ArgumentSlabsAreFree(pool), Patience));
        int files = FilesOf(prefix).Length;

        // The array goes into the free argument slab as it is written; the stream after it cannot be sent.
        for (int i = 0; i < 3; i++)
        {
            var refused = Assert.Throws<ArgumentException>(() => pool.Submit((object o) => o.GetHashCode(), (object)new List<object> { data, Stream.Null }));
            Assert.Contains("Stream", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(files, FilesOf(prefix).Length); // each refused call gave the slab back: no new one was made
        Assert.True(data.AsSpan().SequenceEqual(pool.Submit(WorkerFunctions.Echo, data).Result(Patience)));
    }

    [Fact]
    public void APoolsSlabs_AreGoneAfterDispose()
    {
        string prefix;
        using (var pool = new ProcessPoolExecutor(1))
        {
            prefix = WorkerFunctions.SettingOf(pool, WorkerEnvironment.SharedMemoryPrefix);
            byte[] data = Filled(3 * MB, 7);
            Assert.True(data.AsSpan().SequenceEqual(pool.Submit(WorkerFunctions.Echo, data).Result(Patience)));
            Assert.NotEmpty(FilesOf(prefix)); // the argument's slab (and the worker's result slab) stay for reuse
        }

        Assert.Empty(FilesOf(prefix));
    }

    private static bool ArgumentSlabsAreFree(ProcessPoolExecutor pool)
    {
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var manager = (PoolManager)typeof(ProcessPoolExecutor).GetField("_pool", Private)!.GetValue(pool)!;
        var slabs = (List<PayloadSlab>)typeof(PayloadSlabs).GetField("_slabs", Private)!.GetValue(manager.ArgumentSlabs)!;
        lock (slabs)
        {
            return slabs.TrueForAll(slab => slab.IsFree);
        }
    }

    private static string[] FilesOf(string prefix) =>
        Directory.GetFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + "*");

    private static byte[] Filled(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
