using System.Buffers;
using System.Diagnostics;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// The receiving side of a call: reads the arguments of one call or a chunk, runs the function on each, and writes
/// the results (an array for a chunk). Shared by worker processes and cluster silos.
/// </summary>
internal static class CallRunner
{
    /// <summary>Reads a call's argument arrays from where its host keeps them (inline bytes, shared memory, a payload kept on a silo).</summary>
    public delegate List<object?[]> CallsReader<TState>(TState state, ResolvedFunction function, bool chunk);

    /// <summary>
    /// Runs one received call or chunk the one way every host does (a worker process, a silo): reads its target and
    /// arguments, runs it in a trace span continuing the caller's (<paramref name="traceParent"/>), and writes the
    /// results to <paramref name="output"/>. Returns what belongs to the call's future instead — whatever the work, or
    /// reading its input, threw — or null.
    /// </summary>
    public static Exception? Execute<TState>(ResolvedFunction function, ReadOnlyMemory<byte> target, CallsReader<TState> readCalls, TState state, bool chunk, string? traceParent, IBufferWriter<byte> output)
    {
        try
        {
            var reader = new MessagePackReader(target);
            object? instance = function.ReadTarget(ref reader);
            List<object?[]> calls = readCalls(state, function, chunk);
            using IDisposable? span = traceParent is null ? null : WorkerTracing.StartRun(traceParent, function.Method.Name);
            Run(function, instance, calls, chunk, output);
            return null;
        }
#pragma warning disable CA1031 // Whatever the work (or reading its input) throws belongs to its future.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return exception;
        }
    }

    /// <summary>Reads the argument arrays: one for a call, the chunk's for a chunk.</summary>
    public static List<object?[]> ReadCalls(ref MessagePackReader reader, ResolvedFunction function, bool chunk)
    {
        int count = chunk ? reader.ReadArrayHeader() : 1;
        var calls = new List<object?[]>(count);
        for (int i = 0; i < count; i++)
        {
            calls.Add(function.ReadArguments(ref reader));
        }

        return calls;
    }

    /// <summary>
    /// Runs every call in order and writes the results; the first exception stops the chunk and propagates. A result
    /// that cannot be copied back (its runtime type, or a graph too deep) fails with <see cref="InvalidOperationException"/>
    /// saying where inside it the problem sits.
    /// </summary>
    public static void Run(ResolvedFunction function, object? target, List<object?[]> calls, bool chunk, IBufferWriter<byte> output)
    {
        var writer = new MessagePackWriter(output);
        if (chunk)
        {
            writer.WriteArrayHeader(calls.Count);
        }

        foreach (object?[] arguments in calls)
        {
            object? result = function.Invoke(target, arguments);
            if (function.ResultType == typeof(void))
            {
                writer.WriteNil();
            }
            else
            {
                try
                {
                    PayloadSerializer.Write(ref writer, function.ResultType, result);
                }
                catch (Exception exception) when (PayloadSerializer.Unsendable(exception) is { } failure)
                {
                    throw new InvalidOperationException($"The result of {FunctionReference.Describe(function.Method)} cannot be sent back from another process: {Graph.ValuePath.Explain("result", result, failure)}.", exception);
                }
            }
        }

        writer.Flush();
    }
}
