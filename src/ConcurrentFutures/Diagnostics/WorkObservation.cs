using System.Diagnostics;

namespace ConcurrentFutures;

/// <summary>
/// Metrics and the span of one observed work item, from submission to completion. Created only while a listener is
/// attached; written by the submitting thread, then by the worker that takes the item, then by the completion callback,
/// each step happening-after the previous one through the executor's queue or the future.
/// </summary>
internal sealed class WorkObservation
{
    private readonly ExecutorTelemetry _telemetry;
    private readonly long _submittedAt = Stopwatch.GetTimestamp();
    private long _startedAt;

    public WorkObservation(ExecutorTelemetry telemetry, System.Reflection.MethodInfo method)
    {
        _telemetry = telemetry;
        Activity? previous = Activity.Current;
        Activity = ExecutorTelemetry.Source.StartActivity(ConcurrentFuturesTelemetry.WorkActivityName, ActivityKind.Internal);
        if (Activity is not null)
        {
            // The span lives until the future completes, not for the rest of the submitter's code.
            Activity.Current = previous;
            Activity.DisplayName = $"{ConcurrentFuturesTelemetry.WorkActivityName} {method.Name}";
            telemetry.Tag(Activity);
            Activity.SetTag("code.function", method.Name);
            Activity.SetTag("code.namespace", method.DeclaringType?.FullName);
        }
    }

    /// <summary>The item's span, or null when only metrics are listened to.</summary>
    public Activity? Activity { get; }

    /// <summary>The W3C trace context to hand to a worker process, or null.</summary>
    public string? TraceParent => Activity?.Id;

    /// <summary>The executor accepted the item; its completion is to be reported with <see cref="Done"/>.</summary>
    public void Accepted() => _telemetry.RecordSubmitted();

    /// <summary>Scheduling failed (shut down, broken): the span ends in error, nothing is counted.</summary>
    public void Rejected(Exception exception)
    {
        if (Activity is not null)
        {
            Activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            Activity.Stop();
        }
    }

    /// <summary>A worker took the item (first time only: a re-sent item keeps its first start).</summary>
    public void Started()
    {
        if (Interlocked.CompareExchange(ref _startedAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            _telemetry.RecordQueueWait(Stopwatch.GetElapsedTime(_submittedAt));
        }
    }

    /// <summary>The item's future completed: cancelled, failed with <paramref name="exception"/>, or finished.</summary>
    public void Done(bool cancelled, Exception? exception)
    {
        long started = Volatile.Read(ref _startedAt);
        _telemetry.RecordDone(cancelled, exception is not null, started == 0 ? null : Stopwatch.GetElapsedTime(started));
        if (Activity is null)
        {
            return;
        }

        if (cancelled)
        {
            Activity.SetStatus(ActivityStatusCode.Error, "cancelled");
        }
        else if (exception is not null)
        {
            Activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            Activity.AddException(exception);
        }

        Activity.Stop();
    }
}
