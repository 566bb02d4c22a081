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

    public WorkObservation(ExecutorTelemetry telemetry, WorkItem item)
    {
        _telemetry = telemetry;
        Activity? previous = Activity.Current;
        Activity = ExecutorTelemetry.Source.StartActivity(ConcurrentFuturesTelemetry.WorkActivityName, ActivityKind.Internal);
        if (Activity is not null)
        {
            // The span lives until the future completes, not for the rest of the submitter's code.
            Activity.Current = previous;
            Activity.DisplayName = $"{ConcurrentFuturesTelemetry.WorkActivityName} {item.Function.Method.Name}";
            telemetry.Tag(Activity);
            Activity.SetTag("code.function", item.Function.Method.Name);
            Activity.SetTag("code.namespace", item.Function.Method.DeclaringType?.FullName);
        }
    }

    /// <summary>The item's span, or null when only metrics are listened to.</summary>
    public Activity? Activity { get; }

    /// <summary>The W3C trace context to hand to a worker process, or null.</summary>
    public string? TraceParent => Activity?.Id;

    /// <summary>The executor accepted the item; from now on its completion is recorded.</summary>
    public void Accepted(Future future)
    {
        _telemetry.RecordSubmitted();
        future.AddDoneCallback(Done);
    }

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

    private void Done(Future future)
    {
        long started = Volatile.Read(ref _startedAt);
        Exception? exception = future.IsCancelled ? null : future.GetException(TimeSpan.Zero);
        _telemetry.RecordDone(future.State, exception is not null, started == 0 ? null : Stopwatch.GetElapsedTime(started));
        if (Activity is null)
        {
            return;
        }

        if (future.IsCancelled)
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
