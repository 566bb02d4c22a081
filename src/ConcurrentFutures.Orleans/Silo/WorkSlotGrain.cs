using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using ConcurrentFutures.Remote;
using MessagePack;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// Runs work on a silo, as a worker process does: resolves the function by reference (the code must be deployed on
/// the silo), reads the captures and arguments into their declared types, runs each call on the thread pool (never
/// on the Orleans scheduler), and sends back the results or the exception.
/// </summary>
[SiloTargetedPlacement]
internal sealed class WorkSlotGrain(ILocalSiloDetails silo) : Grain, IWorkSlotGrain
{
    /// <summary>Functions resolved on this silo, by their definition; a failure is kept and reported with every call.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<ResolvedFunction>> Functions = new(StringComparer.Ordinal);

    /// <summary>Calls run per silo in this process (diagnostics for tests: in-process test clusters share it).</summary>
    internal static ConcurrentDictionary<SiloAddress, int> CallsBySilo { get; } = new();

    public Task<int> GetProcessorCount() => Task.FromResult(Environment.ProcessorCount);

    public Task<WorkResponse> Run(WorkRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => Execute(request), CancellationToken.None); // started work runs to its end; the client stops waiting

    private WorkResponse Execute(WorkRequest request)
    {
        CallsBySilo.AddOrUpdate(silo.SiloAddress, 1, static (_, count) => count + 1);
        var output = new ArrayBufferWriter<byte>(256);
        try
        {
            ResolvedFunction function = Resolve(request);
            var reader = new MessagePackReader(request.Target);
            object? target = function.ReadTarget(ref reader);
            reader = new MessagePackReader(request.Arguments);
            List<object?[]> calls = CallRunner.ReadCalls(ref reader, function, request.IsChunk);
            using Activity? span = WorkerTracing.StartRun(request.TraceParent, function);
            CallRunner.Run(function, target, calls, request.IsChunk, output);
            return new WorkResponse { Ok = true, Payload = output.WrittenSpan.ToArray() };
        }
#pragma warning disable CA1031 // Whatever the work (or reading its input) throws belongs to its future.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            output.ResetWrittenCount();
            var writer = new MessagePackWriter(output);
            ExceptionPayload.Write(ref writer, exception);
            writer.Flush();
            return new WorkResponse { Ok = false, Payload = output.WrittenSpan.ToArray() };
        }
    }

    private ResolvedFunction Resolve(WorkRequest request)
    {
        Lazy<ResolvedFunction> entry = Functions.GetOrAdd(Convert.ToBase64String(request.Definition), _ => new Lazy<ResolvedFunction>(() => FunctionResolver.Resolve(request.Definition, loadFromParentPath: false)));
        try
        {
            return entry.Value;
        }
        catch (Exception exception) when (exception is FileNotFoundException or FileLoadException or TypeLoadException or MissingMethodException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Silo {silo.SiloAddress} cannot run {request.Description}: {exception.Message} ConcurrentFutures sends a reference to your method, "
                + "not its code: deploy the same application (every assembly the work uses) on every silo.",
                exception);
        }
    }
}
