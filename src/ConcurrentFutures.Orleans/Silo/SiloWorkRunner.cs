using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Remote;
using MessagePack;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// Runs the work a silo is sent (one per silo). By default in the silo's own worker processes: a process pool created
/// on first use, sized by <see cref="ClusterWorkerOptions.MaxWorkers"/>, so a task that kills its worker (exit,
/// <c>FailFast</c>, stack overflow, SIGKILL, out of memory) answers "the worker died" and the silo lives on, and a call
/// the client gives up on (its TaskTimeout) has its worker killed. With <see cref="WorkIsolation.InSilo"/>, on the
/// silo's thread pool, as before.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "CA1416", Justification = "The pool is used only with WorkIsolation.WorkerProcesses, which UseClusterWorker refuses off Linux.")]
internal sealed class SiloWorkRunner : IDisposable
{
    /// <summary>Functions resolved on this silo, by their definition; a failure is kept and reported with every call.</summary>
    private static readonly ConcurrentDictionary<byte[], Lazy<ResolvedFunction>> Functions = new(DefinitionComparer.Instance);

    private static readonly WorkResponse HandBack = new() { Ok = false, Payload = [], HandedBack = true };

    private readonly ClusterWorkerOptions _options;
    private readonly SiloPayloadServer _payloads;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Lazy<ProcessPoolExecutor> _pool;

    /// <summary>Calls being run now, with their pool future when in worker processes (to abort at the stop deadline).</summary>
    private readonly ConcurrentDictionary<WorkRequest, Future?> _running = new(ReferenceEqualityComparer.Instance);

    /// <summary>Set when the silo's host starts stopping: calls arriving then are handed back.</summary>
    private volatile bool _stopping;

    /// <summary>Set at disposal: no pool is created from then on.</summary>
    private volatile bool _disposed;

    public SiloWorkRunner(ClusterWorkerOptions options, SiloPayloadServer payloads, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _payloads = payloads;
        _loggerFactory = loggerFactory;
        _pool = new Lazy<ProcessPoolExecutor>(CreatePool);
        if (options.Isolation == WorkIsolation.WorkerProcesses)
        {
            payloads.ArgumentSlabs = length => _stopping || _disposed ? null : _pool.Value.TryClaimArgumentSlab(length);
        }
    }

    /// <summary>
    /// Called as the silo's host starts: workers wait ready from then on, so the first call, and a worker replaced
    /// after a crash or a timeout kill, do not pay a runtime's start (~70-100 ms) while the client's TaskTimeout runs.
    /// </summary>
    public void Start()
    {
        if (_options.Isolation == WorkIsolation.WorkerProcesses && _options.MaxWorkerHeapBytes is null)
        {
            ProcessPoolExecutor.PrestartWorkers(Math.Min(_options.MaxWorkers ?? Environment.ProcessorCount, 8));
        }
    }

    public async Task<WorkResponse> RunAsync(WorkRequest request, SiloAddress silo, CancellationToken cancellationToken)
    {
        if (_stopping || !_running.TryAdd(request, null))
        {
            return HandBack;
        }

        try
        {
            return await RunTrackedAsync(request, silo, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(request, out _);
        }
    }

    /// <summary>
    /// The host is stopping: hand back calls that arrive from now on, let the running ones finish until
    /// <paramref name="deadline"/>, then kill the workers of those still running (they are handed back too).
    /// </summary>
    public void Drain(TimeSpan deadline)
    {
        _stopping = true;
        var clock = Stopwatch.StartNew();
        while (!_running.IsEmpty && clock.Elapsed < deadline)
        {
            Thread.Sleep(20);
        }

        foreach (Future? future in _running.Values)
        {
            if (future is not null)
            {
                Abort((_pool.Value, future));
            }
        }
    }

    private async Task<WorkResponse> RunTrackedAsync(WorkRequest request, SiloAddress silo, CancellationToken cancellationToken)
    {
        ResolvedFunction function;
        try
        {
            function = Resolve(request, silo); // the code must be deployed here; checked before any worker is involved
        }
        catch (InvalidOperationException exception)
        {
            return Failure(exception);
        }

        if (_options.Isolation == WorkIsolation.InSilo)
        {
            return await Task.Run(() => RunHere(function, request), CancellationToken.None).ConfigureAwait(false); // started work runs to its end
        }

        ProcessPoolExecutor pool = _pool.Value;
        Future<RelayedOutcome> future;
        try
        {
            // A large payload is copied on to the worker off the grain's scheduler thread, which other calls share.
            future = request.TargetPayload == Guid.Empty && request.ArgumentsPayload == Guid.Empty
                ? Submit(pool, function, request)
                : await Task.Run(() => Submit(pool, function, request), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is BrokenProcessPoolException or ObjectDisposedException)
        {
            return PoolVerdict(silo, exception); // the pool was shut down by the silo's stop, or cannot start workers
        }
        catch (InvalidOperationException exception)
        {
            return Failure(exception); // its large payload is gone
        }

        _running[request] = future;
        // The client stops waiting after its TaskTimeout (it re-sends or fails the call): then the worker still running
        // it is killed, so nothing is left running on the silo. Enforced here, as Orleans does not stop a running call.
        using CancellationTokenSource? timeout = request.Timeout is { } limit ? new CancellationTokenSource(limit) : null;
        (ProcessPoolExecutor Pool, Future Future) call = (pool, future);
        using CancellationTokenRegistration onTimeout = timeout?.Token.Register(Abort, call) ?? default;
        using CancellationTokenRegistration onCancel = cancellationToken.Register(Abort, call);
        try
        {
            RelayedOutcome outcome = await future.AsTask().ConfigureAwait(false);
            return Answer(request, outcome.Ok, outcome.Payload);
        }
        catch (Exception exception) when (exception is BrokenProcessPoolException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            return PoolVerdict(silo, exception);
        }
    }

    /// <summary>
    /// The pool's own verdict on a call: the worker died running it (or was killed for the client's timeout) — or, when
    /// the silo is stopping, the call is handed back, to run elsewhere without counting an attempt.
    /// </summary>
    private WorkResponse PoolVerdict(SiloAddress silo, Exception exception) =>
        _stopping ? HandBack : new WorkResponse { Ok = false, Payload = [], WorkerDeath = $"on silo {silo}: {exception.Message}" };

    /// <summary>Runs on a timer or token callback: a failure here is logged nowhere and must not end the silo.</summary>
    private static void Abort(object? state)
    {
        var (pool, future) = ((ProcessPoolExecutor Pool, Future Future))state!;
        try
        {
            pool.Abort(future);
        }
#pragma warning disable CA1031 // A pool shut down meanwhile has nothing left to abort.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_pool.IsValueCreated)
        {
            _pool.Value.Dispose();
        }
    }

    /// <summary>
    /// Hands the call to a worker: its large parts are taken from the payload port's keeping here, copied on to the
    /// worker by the pool, and no longer held by the silo once this returns (not while the work runs).
    /// </summary>
    private Future<RelayedOutcome> Submit(ProcessPoolExecutor pool, ResolvedFunction function, WorkRequest request)
    {
        byte[] target = TargetOf(request);
        string description = request.Description ?? function.Method.Name;
        if (request.ArgumentsPayload == Guid.Empty)
        {
            return pool.SubmitRelayed(request.Definition, description, target, request.Arguments, request.IsChunk, request.TraceParent);
        }

        ReceivedPayload arguments = _payloads.Claim(request.ArgumentsPayload);
        if (arguments.Slab is { } slab)
        {
            return pool.SubmitRelayed(request.Definition, description, target, slab, request.IsChunk, request.TraceParent); // the pool frees the slab
        }

        try
        {
            return pool.SubmitRelayed(request.Definition, description, target, arguments.Bytes!.Memory.Span, request.IsChunk, request.TraceParent);
        }
        finally
        {
            arguments.Return(); // the pool copied it into the worker's shared memory
        }
    }

    /// <summary>The call's target (closure captures): as it came inside the grain call, or claimed from the payload port's keeping.</summary>
    private byte[] TargetOf(WorkRequest request)
    {
        if (request.TargetPayload == Guid.Empty)
        {
            return request.Target;
        }

        ReceivedPayload payload = _payloads.Claim(request.TargetPayload);
        try
        {
            return payload.ToArray();
        }
        finally
        {
            payload.Return();
        }
    }

    /// <summary>
    /// The answer to send back: inside the grain call when small, else kept for the client to take from the payload
    /// port (and the pooled buffer given back once it is taken, or at once when it goes inline).
    /// </summary>
    private WorkResponse Answer(WorkRequest request, bool ok, RelayedPayload payload)
    {
        long length = payload.Length;
        if (length <= PayloadProtocol.InlineLimit)
        {
            byte[] inline = payload.ToArray();
            payload.Return();
            return new WorkResponse { Ok = ok, Payload = inline };
        }

        if (length > request.MaxPayloadBytes)
        {
            payload.Return();
            return Failure(new InvalidOperationException(
                $"The {(ok ? "result" : "exception")} of {request.Description} is {length:N0} bytes serialized, above the executor's MaxPayloadBytes of {request.MaxPayloadBytes:N0}; "
                + "return less, or raise ClusterExecutorOptions.MaxPayloadBytes."));
        }

        return new WorkResponse { Ok = ok, Payload = [], PayloadId = _payloads.Keep(payload) };
    }

    private WorkResponse RunHere(ResolvedFunction function, WorkRequest request)
    {
        try
        {
            var output = new ArrayBufferWriter<byte>(256);
            Exception? failure = CallRunner.Execute(function, TargetOf(request), static (s, f, _) => s.Runner.ReadCalls(f, s.Request), (Runner: this, Request: request), request.IsChunk, request.TraceParent, output);
            return failure is null ? Answer(request, ok: true, PooledPayload.CopyOf(new ReadOnlySequence<byte>(output.WrittenMemory))) : Failure(failure);
        }
#pragma warning disable CA1031 // Reading its large target, or keeping its result, fails the call's future as the work itself would.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return Failure(exception);
        }
    }

    /// <summary>The calls' arguments, read from the grain call or from the payload the client put (returned to its pool after).</summary>
    private List<object?[]> ReadCalls(ResolvedFunction function, WorkRequest request)
    {
        if (request.ArgumentsPayload == Guid.Empty)
        {
            var inline = new MessagePackReader(request.Arguments);
            return CallRunner.ReadCalls(ref inline, function, request.IsChunk);
        }

        ReceivedPayload arguments = _payloads.Claim(request.ArgumentsPayload);
        try
        {
            return arguments.Read(bytes =>
            {
                var reader = new MessagePackReader(bytes);
                return CallRunner.ReadCalls(ref reader, function, request.IsChunk);
            });
        }
        finally
        {
            arguments.Return();
        }
    }

    private static WorkResponse Failure(Exception exception) => new() { Ok = false, Payload = ExceptionPayload.ToBytes(exception) };

    private static ResolvedFunction Resolve(WorkRequest request, SiloAddress silo)
    {
        Lazy<ResolvedFunction> entry = Functions.GetOrAdd(request.Definition, static definition => new Lazy<ResolvedFunction>(() => FunctionResolver.Resolve(definition, loadFromParentPath: false)));
        try
        {
            return entry.Value;
        }
        catch (Exception exception) when (exception is FileNotFoundException or FileLoadException or TypeLoadException or MissingMethodException or InvalidOperationException or MessagePackSerializationException)
        {
            throw new InvalidOperationException(
                $"Silo {silo} cannot run {request.Description}: {exception.Message} ConcurrentFutures sends a reference to your method, "
                + "not its code: deploy the same application (every assembly the work uses) on every silo.",
                exception);
        }
    }

    private ProcessPoolExecutor CreatePool() => new(new ProcessPoolOptions
    {
        MaxWorkers = _options.MaxWorkers,
        MaxTasksPerChild = _options.MaxTasksPerChild,
        MaxWorkerHeapBytes = _options.MaxWorkerHeapBytes,
        LoggerFactory = _loggerFactory,
    });
}
