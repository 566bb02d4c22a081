using System.Diagnostics;

namespace ConcurrentFutures;

/// <summary>Continues the submitter's trace inside a worker process.</summary>
internal static class WorkerTracing
{
    /// <summary>
    /// Starts the <c>ConcurrentFutures.Run</c> span as a child of <paramref name="traceParent"/> (callers skip this when
    /// the submitter was not traced). Without a listener in the worker the span is still created (unsampled, cheap) so
    /// the user's code sees the trace in <see cref="Activity.Current"/> and its logs and outgoing calls carry it.
    /// <paramref name="functionName"/> is the name of the method run (its <c>code.function</c> tag). Typed
    /// <see cref="IDisposable"/> so that a caller compiled without tracing does not load System.Diagnostics.DiagnosticSource.
    /// </summary>
    public static IDisposable StartRun(string traceParent, string functionName)
    {
        Activity? span = ExecutorTelemetry.Source.StartActivity(ConcurrentFuturesTelemetry.RunActivityName, ActivityKind.Internal, traceParent);
        if (span is null)
        {
            span = new Activity(ConcurrentFuturesTelemetry.RunActivityName);
            span.SetParentId(traceParent);
            span.Start();
        }

        span.SetTag("code.function", functionName);
        span.SetTag("process.pid", Environment.ProcessId);
        return span;
    }
}
