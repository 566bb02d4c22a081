using System.Diagnostics;
using ConcurrentFutures.Remote;

namespace ConcurrentFutures;

/// <summary>Continues the submitter's trace inside a worker process.</summary>
internal static class WorkerTracing
{
    /// <summary>
    /// Starts the <c>ConcurrentFutures.Run</c> span as a child of <paramref name="traceParent"/>, or null when the
    /// submitter was not traced. Without a listener in the worker the span is still created (unsampled, cheap) so the
    /// user's code sees the trace in <see cref="Activity.Current"/> and its logs and outgoing calls carry it.
    /// </summary>
    public static Activity? StartRun(string? traceParent, ResolvedFunction function)
    {
        if (traceParent is null)
        {
            return null;
        }

        Activity? span = ExecutorTelemetry.Source.StartActivity(ConcurrentFuturesTelemetry.RunActivityName, ActivityKind.Internal, traceParent);
        if (span is null)
        {
            span = new Activity(ConcurrentFuturesTelemetry.RunActivityName);
            span.SetParentId(traceParent);
            span.Start();
        }

        span.SetTag("code.function", function.Method.Name);
        span.SetTag("process.pid", Environment.ProcessId);
        return span;
    }
}
