using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConcurrentFutures;

/// <summary>
/// Runs work in separate worker processes of this application, isolated from each other's crashes, hangs and memory.
/// Python: <c>concurrent.futures.ProcessPoolExecutor</c>.
/// </summary>
/// <remarks>
/// <para>What can be sent: a static method, a lambda that captures nothing, or a lambda whose captured variables are
/// all serializable (they are copied, never shared); arguments and results must be serializable (primitives,
/// strings, arrays, lists, dictionaries, records and classes with public state). Anything else is rejected by
/// <c>Submit</c>/<c>Map</c> with an <see cref="ArgumentException"/> naming the offending member.</para>
/// <para>A worker that dies (crash, kill, out of memory) fails only the task it was running, with
/// <see cref="BrokenProcessPoolException"/> naming the function and the exit code or signal; it is replaced and the
/// pool keeps serving. Workers start on first use, never outlive this process, and write to its console.</para>
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class ProcessPoolExecutor : Executor
{
    /// <summary>The smallest <see cref="ProcessPoolOptions.MaxWorkerHeapBytes"/> a worker's runtime can start with.</summary>
    private const long MinimumWorkerHeap = 32L * 1024 * 1024;

    private readonly PoolManager _pool;

    /// <summary>Creates a pool of up to <paramref name="maxWorkers"/> worker processes.</summary>
    /// <param name="maxWorkers">Maximum workers; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is zero or negative.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or the application is single-file or Native AOT.</exception>
    public ProcessPoolExecutor(int? maxWorkers = null)
        : this(new ProcessPoolOptions { MaxWorkers = maxWorkers })
    {
    }

    /// <summary>Creates a pool with the given options.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count, size or time in <paramref name="options"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The initializer or its arguments cannot be sent to a worker.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or the application is single-file or Native AOT.</exception>
    public ProcessPoolExecutor(ProcessPoolOptions options)
        : base("process_pool", options?.Name)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(ProcessPoolExecutor));
        ArgumentNullException.ThrowIfNull(options);
        PoolSettings settings = Validate(options);
        MaxWorkers = settings.MaxWorkers;
        _pool = new PoolManager(settings);
        Telemetry.Track(() => _pool.LiveWorkerCount, () => _pool.PendingCount);
    }

    /// <summary>The maximum number of worker processes.</summary>
    public int MaxWorkers { get; }

    /// <summary>Process ids of the workers currently alive (started lazily, so empty before the first submission).</summary>
    public IReadOnlyList<int> WorkerProcessIds => _pool.WorkerProcessIds;

    /// <summary>
    /// Sends SIGTERM to every worker and shuts the pool down; every unfinished future fails with
    /// <see cref="BrokenProcessPoolException"/>. Python 3.14: <c>terminate_workers()</c>.
    /// </summary>
    public void TerminateWorkers() => _pool.SignalAllWorkers(NativeMethods.Sigterm, "The pool's workers were terminated by TerminateWorkers().");

    /// <summary>
    /// Sends SIGKILL to every worker and shuts the pool down; every unfinished future fails with
    /// <see cref="BrokenProcessPoolException"/>. Python 3.14: <c>kill_workers()</c>.
    /// </summary>
    public void KillWorkers() => _pool.SignalAllWorkers(NativeMethods.Sigkill, "The pool's workers were killed by KillWorkers().");

    /// <summary>
    /// Keeps <paramref name="count"/> worker processes started and waiting for pools (0 ends those waiting, and returns
    /// once they have ended). A .NET
    /// process needs tens of milliseconds to start; a pool created later takes a waiting worker instead of starting one,
    /// so its first result comes back in milliseconds. Call it early (e.g. at the top of <c>Main</c>). Each waiting
    /// worker serves one pool and is replaced in the background once taken; pools started with
    /// <see cref="ProcessPoolOptions.MaxWorkerHeapBytes"/> start their own. Waiting workers end with this process.
    /// A waiting worker keeps the environment variables and working directory this process had when it started it.
    /// Python's nearest: the <c>forkserver</c> start method.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or over 256.</exception>
    /// <exception cref="PlatformNotSupportedException">The app cannot start worker processes (single-file, Native AOT).</exception>
    public static void PrestartWorkers(int count)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(ProcessPoolExecutor));
        StandbyWorkers.Prestart(count);
    }

    /// <summary>This thread's buffer for the arguments it encodes (see <see cref="Schedule"/>).</summary>
    [ThreadStatic]
    private static PooledBufferWriter? t_arguments;

    /// <summary>This thread's writer over <see cref="t_arguments"/> and the slabs of the pool it last submitted to.</summary>
    [ThreadStatic]
    private static SlabWriter? t_argumentWriter;

    /// <summary>An argument buffer up to this size is kept for the thread's next call; a larger one goes back to the pool.</summary>
    private const int LargestKeptArguments = 64 * 1024 * 1024;

    /// <inheritdoc/>
    /// <remarks>
    /// Arguments with one large piece (an array or string of 256 KB or more) are serialized straight into an argument
    /// slab, which the worker maps: written once, not into a buffer and then copied.
    /// </remarks>
    internal override void Schedule(WorkItem workItem)
    {
        FunctionReference function = FunctionReference.For(workItem);
        byte[] target = CallEncoder.EncodeTarget(function, workItem.Function);
        PooledBufferWriter buffer = t_arguments ??= new PooledBufferWriter();
        SlabWriter arguments = t_argumentWriter is { } kept && kept.Slabs == _pool.ArgumentSlabs
            ? kept
            : t_argumentWriter = new SlabWriter(buffer, _pool.ArgumentSlabs);
        arguments.Reset();
        try
        {
            CallEncoder.EncodeArguments(function, workItem, arguments);
            if (arguments.Finish() is { } slab)
            {
                Submit(workItem, function, target, slab, workItem is IChunkArguments, traceParent: null);
            }
            else
            {
                Dispatch(workItem, function, target, buffer.WrittenSpan, workItem is IChunkArguments, traceParent: null);
            }
        }
        finally
        {
            arguments.Reset(); // frees a slab claimed by arguments that then failed to serialize
            buffer.Shrink(LargestKeptArguments);
            CallEncoder.ReleaseLargeScratch(); // a large target's
        }
    }

    /// <summary>
    /// Runs a call encoded elsewhere — a silo running a cluster client's work in its worker processes — with the same
    /// engine as any other (crash attribution, replacement, limits). The future completes with the worker's answer as it
    /// came, or fails with the pool's own verdict (<see cref="BrokenProcessPoolException"/> when the worker died).
    /// <paramref name="arguments"/> are copied before this returns.
    /// </summary>
    internal Future<RelayedOutcome> SubmitRelayed(byte[] definition, string description, byte[] target, ReadOnlySpan<byte> arguments, bool isChunk, string? traceParent)
    {
        var call = new RelayedCall();
        Dispatch(call, FunctionReference.ForRelayed(definition, description), target, arguments, isChunk, traceParent);
        return call.TypedFuture;
    }

    /// <summary>
    /// Runs a relayed call whose arguments were written straight into one of this pool's argument slabs (claimed with
    /// <see cref="TryClaimArgumentSlab"/>): the pool owns the slab from here on and frees it once the task is done.
    /// </summary>
    internal Future<RelayedOutcome> SubmitRelayed(byte[] definition, string description, byte[] target, PayloadSlab arguments, bool isChunk, string? traceParent)
    {
        var call = new RelayedCall();
        Submit(call, FunctionReference.ForRelayed(definition, description), target, arguments, isChunk, traceParent);
        return call.TypedFuture;
    }

    /// <summary>Submits a task whose arguments wait in <paramref name="arguments"/>, a claimed argument slab the pool frees once the task is done.</summary>
    private void Submit(WorkItem workItem, FunctionReference function, byte[] target, PayloadSlab arguments, bool isChunk, string? traceParent)
    {
        try
        {
            _pool.Submit(new RemoteTask(workItem, function, target, SlabReference(arguments), isChunk) { TraceParent = traceParent, LargeArguments = true });
        }
        catch
        {
            arguments.Release(); // refused: no worker will read it
            throw;
        }

        // Not before the task is done: a task whose worker died runs again from the same slab. At once if done already.
        ReleaseWhenDone(workItem.Future, arguments);
    }

    // The done-callbacks below capture their parameters: in methods of their own, their closures are allocated only
    // when they are needed, not by every call of the method that would otherwise hold them.
    private static void ReleaseWhenDone(Future future, PayloadSlab slab) => future.AddDoneCallback(_ => slab.Release());

    private static void DeleteWhenDone(Future future, string path) => future.AddDoneCallback(_ => SharedMemoryTransport.Delete(path));

    /// <summary>
    /// A free argument slab with room for <paramref name="length"/> bytes, claimed, for a relay to fill itself; null
    /// when the pool's slabs are all busy or at their cap. The caller submits it or releases it.
    /// </summary>
    internal PayloadSlab? TryClaimArgumentSlab(long length) => _pool.ArgumentSlabs.TryClaim(length);

    /// <summary>Gives up the task of <paramref name="future"/>: cancelled if queued, its worker killed if running.</summary>
    internal void Abort(Future future) => _pool.Abort(future);

    /// <summary>Sends an encoded call: its arguments inline, or through shared memory when large.</summary>
    private void Dispatch(WorkItem workItem, FunctionReference function, byte[] target, ReadOnlySpan<byte> serialized, bool isChunk, string? traceParent)
    {
        byte[] arguments;
        bool large = serialized.Length >= SharedMemoryTransport.Threshold;
        if (large && _pool.ArgumentSlabs.TryWrite(serialized) is { } slab)
        {
            // Large: the worker maps a slab instead of receiving the bytes through the socket; the slab is reused once
            // the task is done (not before: a task whose worker died runs again from the same slab).
            ReleaseWhenDone(workItem.Future, slab);
            arguments = SlabReference(slab);
        }
        else if (large)
        {
            // Large, and the slabs are all busy: a file of its own.
            string path = SharedMemoryTransport.Write(_pool.SharedMemoryPrefix, serialized);
            DeleteWhenDone(workItem.Future, path);
            arguments = new SharedReference(path, Slab: false).ToBytes();
        }
        else
        {
            arguments = serialized.ToArray();
        }

        _pool.Submit(new RemoteTask(workItem, function, target, arguments, isChunk) { TraceParent = traceParent, LargeArguments = large });
    }

    /// <summary>The arguments as sent to a worker when they wait in <paramref name="slab"/>.</summary>
    private static byte[] SlabReference(PayloadSlab slab) => new SharedReference(slab.Path, Slab: true).ToBytes();

    /// <inheritdoc/>
    internal override void ShutdownCore(bool wait, bool cancelFutures) => _pool.Shutdown(wait, cancelFutures);

    /// <inheritdoc/>
    internal override Task WhenTerminatedAsync() => _pool.Terminated;

    private static PoolSettings Validate(ProcessPoolOptions options)
    {
        int maxWorkers = options.MaxWorkers ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWorkers, "options.MaxWorkers");
        if (options.MaxTasksPerChild is { } quota)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quota, "options.MaxTasksPerChild");
        }

        if (options.TaskTimeout is { } taskTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(taskTimeout, TimeSpan.Zero, "options.TaskTimeout");
        }

        if (options.IdleWorkerTimeout is { } idle)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idle, TimeSpan.Zero, "options.IdleWorkerTimeout");
        }

        if (options.MaxWorkerMemoryBytes is { } memory)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memory, "options.MaxWorkerMemoryBytes");
        }

        if (options.MaxWorkerHeapBytes is { } heap && heap < MinimumWorkerHeap)
        {
            throw new ArgumentOutOfRangeException("options.MaxWorkerHeapBytes", heap, $"A worker's heap limit must be at least {MinimumWorkerHeap / (1024 * 1024)} MB: the runtime needs room to start.");
        }

        InitializerCall? initializer = null;
        if (options.Initializer is { } init)
        {
            object?[] args = options.InitializerArgs ?? [];
            FunctionReference function = FunctionReference.For(init);
            if (function.ParameterTypes.Length != args.Length)
            {
                throw new ArgumentException($"The initializer {function.Describe()} takes {function.ParameterTypes.Length} arguments but InitializerArgs has {args.Length}.", nameof(options));
            }

            try
            {
                initializer = new InitializerCall(
                    function,
                    CallEncoder.EncodeTarget(function, init),
                    CallEncoder.Serialize(static (ref MessagePackWriter w, (FunctionReference F, object?[] A) s) => s.F.WriteArguments(ref w, s.A), (function, args)));
            }
            catch (ArgumentException exception)
            {
                string message = exception.Message.Replace($" (Parameter '{exception.ParamName}')", "", StringComparison.Ordinal);
                throw new ArgumentException($"The initializer cannot be sent to the workers: {message}", exception.ParamName == "fn" ? "options.Initializer" : "options.InitializerArgs", exception);
            }
        }

        return new PoolSettings(maxWorkers, options.MaxTasksPerChild, initializer, options.TaskTimeout, options.IdleWorkerTimeout, options.MaxWorkerMemoryBytes, options.MaxWorkerHeapBytes,
            options.LoggerFactory?.CreateLogger<ProcessPoolExecutor>() ?? NullLogger<ProcessPoolExecutor>.Instance, !options.StartsOwnWorkers);
    }
}
