using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Processes;

/// <summary>
/// The child side of one worker: connects to the pool, then runs what it is sent, one call at a time, in order.
/// The main thread reads the first frames itself, up to the first call (see <see cref="HandleUntilFirstCall"/>); from
/// then on a reader thread receives frames (and ends the process if the parent goes away, even while user code runs),
/// and the main thread executes and writes results, flushing whenever it has nothing more to run.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Lives as long as the worker process; the process exit releases everything.")]
internal sealed partial class WorkerHost
{
    private readonly string _socketPath;
    private readonly byte[] _token;
    private readonly int _slot;
    private readonly bool _reportMemory;
    private readonly string _sharedMemoryPrefix;

    /// <summary>Frames received and not yet executed (copied out of the reader's buffer).</summary>
    private readonly BlockingCollection<byte[]> _inbox = new(new ConcurrentQueue<byte[]>());

    /// <summary>
    /// Functions defined by the parent, by id; a definition that failed to resolve keeps its exception. The values are
    /// objects: a dictionary of them runs the runtime's precompiled code, where one of tuples is compiled on the first call.
    /// </summary>
    private readonly Dictionary<int, DefinedFunction> _functions = [];

    private readonly FrameBuffer _output = new();
    /// <summary>Where results are written (by <see cref="_results"/>); its array goes back to the large-array pool after a result above <see cref="LargestKeptScratch"/>.</summary>
    private readonly PooledBufferWriter _scratch = new();

    /// <summary>Writes each call's results: into <see cref="_scratch"/>, or a large one straight into a result slab.</summary>
    private readonly SlabWriter _results;

    /// <summary>A result buffer up to this size is kept for the next task; a larger one goes back to the pool (which lets it go when unused).</summary>
    private const int LargestKeptScratch = 64 * 1024 * 1024;

    /// <summary>After a task whose arguments or result were this large, the worker collects its garbage at once.</summary>
    private const int CollectAfterPayload = 32 * 1024 * 1024;

    /// <summary>How long a worker waits with nothing to do before it gives back memory (see <see cref="TrimWhenIdle"/>), after small values.</summary>
    private static readonly TimeSpan IdleBeforeTrim = TimeSpan.FromSeconds(1);

    /// <summary>After a large value the worker waits one more second per this many bytes of it (see <see cref="IdleBeforeTrimAfter"/>).</summary>
    private const long BytesPerSecondOfWait = 64L * 1024 * 1024;

    /// <summary>The largest argument or result (bytes) since the worker last gave back its memory.</summary>
    private long _largestSinceTrim;

    /// <summary>What the worker must have allocated since its last trim for the next to be worth a full collection.</summary>
    private const long TrimAfterAllocating = 4 * 1024 * 1024;

    /// <summary>The process's allocated bytes at its last trim (<see cref="GC.GetTotalAllocatedBytes"/>).</summary>
    private long _allocatedAtTrim;

    /// <summary>The size of the current task's arguments when they came from shared memory; else 0.</summary>
    private long _argumentBytes;

    /// <summary>The pool's argument slabs this worker has mapped.</summary>
    private readonly SlabMappings _argumentMappings;

    /// <summary>Where this worker writes large results; the pool frees each once it has read it.</summary>
    private readonly PayloadSlabs _resultSlabs;
    private Stream _connection = null!;

    /// <summary>The arguments of the call <see cref="Run(RunMessage)"/> runs (a field, not a tuple passed along: see <see cref="_functions"/>).</summary>
    private ReadOnlyMemory<byte> _runArguments;

    /// <summary>Tells the parent which task runs, should this process die (see <see cref="TaskMarker"/>).</summary>
    private TaskMarker? _marker;
    private volatile bool _stopRequested;

    private const string ReaderThreadName = "ConcurrentFutures worker reader";

    public WorkerHost(string socketPath, byte[] token, int slot, bool reportMemory, string sharedMemoryPrefix)
    {
        (_socketPath, _token, _slot, _reportMemory, _sharedMemoryPrefix) = (socketPath, token, slot, reportMemory, sharedMemoryPrefix);
        _argumentMappings = new SlabMappings(sharedMemoryPrefix, keepLargeUntilDropped: true);
        _resultSlabs = new PayloadSlabs(sharedMemoryPrefix);
        _results = new SlabWriter(_scratch, _resultSlabs);
    }

    public int Run()
    {
        _marker = TaskMarker.OpenAndUnlink(TaskMarker.PathFor(_sharedMemoryPrefix, _slot));
        _connection = UnixSocketStream.Connect(_socketPath);
        _output.Append(new HelloMessage(_token, _slot, Environment.ProcessId));
        Flush();

        var frames = new FrameReader(_connection);
        if (!HandleUntilFirstCall(frames) || !TakeAnImmediateFrame(frames))
        {
            return 0;
        }

        StartReader(frames);
        while (true)
        {
            if (!_inbox.TryTake(out byte[]? frame))
            {
                Flush(); // nothing else to run: send the results batched so far before blocking
                if (!_inbox.TryTake(out frame, IdleBeforeTrimAfter(_largestSinceTrim)))
                {
                    _argumentMappings.DropLarge(); // large arguments kept mapped while they kept coming: their memory back
                    TrimWhenIdle();
                    _largestSinceTrim = 0;
                    frame = _inbox.Take();
                }
            }

            if (!Handle(frame))
            {
                Flush();
                _connection.Dispose(); // shuts both directions down, so the reader thread's read returns
                return 0;
            }
        }
    }

    /// <summary>
    /// How long a worker waits idle before it gives back its memory, after values of up to <paramref name="largestPayload"/>
    /// bytes: <see cref="IdleBeforeTrim"/>, plus a second per <see cref="BytesPerSecondOfWait"/> (1 GB: 17 s). The next
    /// large value may be on its way: between one call and the next the caller fetches the result and sends the next
    /// argument, which over a gigabit link takes about 8 s per GB each way (a silo's worker waits through both). Giving
    /// the memory back meanwhile made every call fault all of it in again (measured: 1 GB round trips through a silo
    /// over TCP 6.4–8.5 s with a 1 s wait, 1.7–1.9 s with this one).
    /// </summary>
    internal static TimeSpan IdleBeforeTrimAfter(long largestPayload) =>
        IdleBeforeTrim + TimeSpan.FromSeconds((double)Math.Max(0, largestPayload) / BytesPerSecondOfWait);

    /// <summary>
    /// A worker that has had nothing to do for <see cref="IdleBeforeTrimAfter"/> gives back the memory its tasks left
    /// behind: one full, compacting collection that returns free pages to the system (Python's workers free as they go,
    /// by reference counting; a .NET worker keeps up to a gen0 budget of garbage — tens of megabytes where the CPU's
    /// cache is large — until its next collection). Measured here: a worker idle after 100,000 no-op tasks 62 MB
    /// before, 43 MB after. Only after it allocated <see cref="TrimAfterAllocating"/> since the last, so a worker that
    /// wakes now and then for small tasks does not collect every time; a busy worker never waits here.
    /// </summary>
    private void TrimWhenIdle()
    {
        if (GC.GetTotalAllocatedBytes() - _allocatedAtTrim < TrimAfterAllocating)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Platform.NativeMethods.ReturnFreeNativeMemory();
        _allocatedAtTrim = GC.GetTotalAllocatedBytes();
    }

    /// <summary>
    /// Reads and handles the parent's first frames on this thread, until its first call has run and its result is sent
    /// (false: the parent asked it to stop, or is gone). The reader thread starts after that: a new thread takes ~2–3 ms
    /// to start and take in its first frame here (measured with perf: the parent's first frames arrived ~1 ms after the
    /// hello, the reader read them ~3.4 ms after it), which a new pool's first result waited for. Until the reader runs
    /// nothing reads the connection while that call runs; should the parent die meanwhile, the kernel's parent-death
    /// signal ends this process.
    /// </summary>
    private bool HandleUntilFirstCall(FrameReader frames)
    {
        while (true)
        {
            if (ReadOnThisThread(frames) is not { } received)
            {
                return false;
            }

            MessageKind kind = WireFormat.PeekKind(received);
            if (!HandleOnThisThread(received))
            {
                return false;
            }

            if (kind is MessageKind.Run or MessageKind.RunChunk)
            {
                Flush();
                return true;
            }
        }
    }

    /// <summary>
    /// After the first call: a frame that comes within <see cref="ImmediateFramePatience"/> is taken on this thread too
    /// (false: it was a stop, or the parent is gone). A pool that runs one call and is then disposed — Python's
    /// <c>with</c> block around one <c>submit</c> — sends its stop right after the result, and the worker then ends
    /// without starting a reader thread it would not use: the stop was handled 2.3–2.4 ms after the result when the
    /// reader started first, 0.7 ms taken here (medians of 11 new pools, three alternating runs, perf's syscall events).
    /// Any other frame goes to the inbox, ahead of what the reader takes in after it.
    /// </summary>
    private bool TakeAnImmediateFrame(FrameReader frames)
    {
        if (!frames.HasBufferedBytes && (_connection is not UnixSocketStream socket || !socket.WaitReadable(ImmediateFramePatience)))
        {
            return true;
        }

        if (ReadOnThisThread(frames) is not { } received)
        {
            return false;
        }

        if (WireFormat.PeekKind(received) == MessageKind.Stop)
        {
            return HandleOnThisThread(received);
        }

        _inbox.Add(received.ToArray());
        return true;
    }

    /// <summary>The next frame, read on this thread; null when the parent closed the connection or cannot be reached (as in <see cref="ReceiveLoop"/>).</summary>
    private static ReadOnlyMemory<byte>? ReadOnThisThread(FrameReader frames)
    {
        try
        {
            return frames.ReadFrame();
        }
#pragma warning disable CA1031 // Any receive failure means the parent is unreachable, as in ReceiveLoop.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Handles a frame read on this thread; false when it was a stop, after the last results are sent and the connection closed.</summary>
    private bool HandleOnThisThread(ReadOnlyMemory<byte> frame)
    {
        if (Handle(frame.ToArray()))
        {
            return true;
        }

        Flush();
        _connection.Dispose();
        return false;
    }

    /// <summary>How long the main thread waits for a frame after the first call before it leaves the reading to the reader thread.</summary>
    private static readonly TimeSpan ImmediateFramePatience = TimeSpan.FromMilliseconds(10);

    /// <summary>Starts the thread that runs <see cref="ReceiveLoop"/> on <paramref name="frames"/>.</summary>
    private Thread StartReader(FrameReader frames)
    {
        var reader = new Thread(() => ReceiveLoop(frames)) { IsBackground = true, Name = ReaderThreadName };
        reader.Start();
        return reader;
    }

    /// <summary>Reads frames until the parent closes the connection; the parent is then gone, and so is this process.</summary>
    private void ReceiveLoop(FrameReader reader)
    {
        try
        {
            while (reader.ReadFrame() is { } frame)
            {
                if (WireFormat.PeekKind(frame) == MessageKind.Stop)
                {
                    _stopRequested = true; // the parent may close the connection right after this
                }

                _inbox.Add(frame.ToArray());
            }
        }
#pragma warning disable CA1031 // Any receive failure means the parent is unreachable.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (!_stopRequested)
        {
            Environment.Exit(0);
        }
    }

    /// <returns>False when the parent asked the worker to stop.</returns>
    private bool Handle(byte[] frame)
    {
        switch (WireFormat.PeekKind(frame))
        {
            case MessageKind.Define:
                DefineMessage define = DefineMessage.Read(frame);
                Define(define.FunctionId, define.Definition);
                return true;
            case MessageKind.Run or MessageKind.RunChunk:
                Execute(RunMessage.Read(frame));
                return true;
            case MessageKind.Initialize:
                Initialize(InitializeMessage.Read(frame));
                return true;
            case MessageKind.Stop:
                _ = StopMessage.Read(frame);
                return false;
            case var kind:
                throw new InvalidDataException($"Unexpected message {kind} from the parent.");
        }
    }

    private void Define(int functionId, byte[] definition)
    {
        try
        {
            _functions[functionId] = new DefinedFunction(FunctionResolver.Resolve(definition), null);
        }
#pragma warning disable CA1031 // Reported to the parent with every call of this function.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _functions[functionId] = new DefinedFunction(null, exception);
        }
    }

    private void Initialize(InitializeMessage message)
    {
        Exception? failure = null;
        try
        {
            ResolvedFunction function = GetFunction(message.FunctionId);
            var target = new MessagePackReader(message.Target);
            var arguments = new MessagePackReader(message.Arguments);
            function.Invoke(function.ReadTarget(ref target), function.ReadArguments(ref arguments));
        }
#pragma warning disable CA1031 // An initializer failure is reported to the parent, which breaks the pool.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failure = exception;
        }

        _output.Append(new InitializedMessage(failure));
        Flush();
    }

    private void Execute(RunMessage message)
    {
        long taskId = message.TaskId;
        _marker?.Started(taskId);
        long started = Stopwatch.GetTimestamp();
        _results.Reset();
        Exception? failure = Run(message);

        long micros = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        _largestSinceTrim = Math.Max(_largestSinceTrim, Math.Max(_argumentBytes, _results.WrittenCount));
        bool large = _argumentBytes >= CollectAfterPayload || _results.WrittenCount >= CollectAfterPayload;
        _argumentBytes = 0;
        WriteResult(taskId, failure, micros);
        _marker?.Finished(taskId);
        if (large)
        {
            // Its values are garbage now: collected at once (as Python's reference counting frees them), the next
            // large value reuses their pages instead of fresh ones, which cost ten times the copy here (measured: a
            // 300 MB argument read in ~40 ms after a collection, ~400 ms without). The result is sent first: results
            // otherwise wait, batched, until the worker has nothing left to run.
            Flush();
            GC.Collect();
        }
    }

    /// <summary>Runs the call (<see cref="CallRunner.Execute"/>) with its results in the scratch buffer; returns what belongs to its future instead, if anything.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "Any exception of the work comes back through here.")]
    private Exception? Run(RunMessage message)
    {
        ResolvedFunction function;
        try
        {
            function = GetFunction(message.FunctionId);
        }
        catch (InvalidOperationException exception)
        {
            return exception; // never defined here, or its code could not be loaded: reported with each call
        }

        _runArguments = message.Arguments;
        try
        {
            return CallRunner.Execute(function, message.Target, ReadCallsOf, this, message.Chunk, message.TraceParent, _results);
        }
        finally
        {
            _runArguments = default;
        }
    }

    private static List<object?[]> ReadCallsOf(WorkerHost host, ResolvedFunction function, bool chunk) =>
        host.ReadCalls(host._runArguments, function, chunk);

    /// <summary>
    /// Reads the arguments of each call: inline, or from shared memory when the parent sent a path (a slab stays, as
    /// the pool may send the task again should this worker die; a one-off file is deleted).
    /// </summary>
    private List<object?[]> ReadCalls(ReadOnlyMemory<byte> arguments, ResolvedFunction function, bool chunk)
    {
        var reader = new MessagePackReader(arguments);
        if (SharedReference.TryRead(ref reader, out SharedReference reference))
        {
            Func<ReadOnlySequence<byte>, List<object?[]>> read = sequence =>
            {
                _argumentBytes = sequence.Length;
                var mapped = new MessagePackReader(sequence);
                return CallRunner.ReadCalls(ref mapped, function, chunk);
            };
            return reference.Slab ? _argumentMappings.Read(reference.Path, release: false, read) : SharedMemoryTransport.ReadAndDelete(reference.Path, read);
        }

        return CallRunner.ReadCalls(ref reader, function, chunk);
    }

    private void WriteResult(long taskId, Exception? failure, long micros)
    {
        // The slabs' pages are shared with the pool and reused, not this worker's growth: they do not count.
        long workingSet = _reportMemory ? Math.Max(0, Environment.WorkingSet - _argumentMappings.MappedBytes - _resultSlabs.TotalBytes) : 0;
        SharedReference? shared = null;
        PayloadSlab? written = _results.Finish(); // a large result written straight into a slab
        if (written is not null && failure is not null)
        {
            written.Release(); // the exception goes back instead
        }
        else if (written is not null)
        {
            shared = new SharedReference(written.Path, Slab: true);
        }
        else if (failure is null && _scratch.WrittenCount >= SharedMemoryTransport.Threshold)
        {
            try
            {
                shared = _resultSlabs.TryWrite(_scratch.WrittenSpan) is { } slab
                    ? new SharedReference(slab.Path, Slab: true)
                    : new SharedReference(SharedMemoryTransport.Write(_sharedMemoryPrefix, _scratch.WrittenSpan), Slab: false);
            }
            catch (IOException exception)
            {
                failure = exception;
            }
        }

        ReadOnlyMemory<byte> payload = shared is { } reference ? reference.ToBytes()
            : failure is null ? _scratch.WrittenMemory
            : ExceptionPayload.ToBytes(failure);
        _output.Append(new ResultMessage(taskId, failure is null, micros, workingSet, payload));
        _scratch.Shrink(LargestKeptScratch);
    }

    private ResolvedFunction GetFunction(int functionId)
    {
        if (!_functions.TryGetValue(functionId, out DefinedFunction? entry))
        {
            throw new InvalidOperationException($"Function {functionId} was never defined in this worker.");
        }

        return entry.Function ?? throw new InvalidOperationException($"The worker could not load the function: {entry.Error!.Message}", entry.Error);
    }

    private void Flush()
    {
        _connection.Write(_output.Written.Span);

        _output.Clear();
    }
}

/// <summary>A function the parent defined in this worker: resolved, or the reason it could not be.</summary>
internal sealed class DefinedFunction(ResolvedFunction? function, Exception? error)
{
    public ResolvedFunction? Function { get; } = function;

    public Exception? Error { get; } = error;
}
