using System.Diagnostics;

namespace ConcurrentFutures.Tests.Diagnostics;

public static class TelemetryFunctions
{
    /// <summary>Run in a worker: the trace the call runs in, as "traceId/parentSpanId/pid".</summary>
    public static string CurrentTrace()
    {
        Activity? current = Activity.Current;
        return $"{current?.TraceId}/{current?.ParentSpanId}/{Environment.ProcessId}";
    }

    public static int Fail(int x) => throw new InvalidOperationException($"failing {x}");

    public static void Exit() => Environment.Exit(3);
}
