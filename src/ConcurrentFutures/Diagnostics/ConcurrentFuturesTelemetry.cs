namespace ConcurrentFutures;

/// <summary>
/// Names under which ConcurrentFutures publishes metrics and traces. Subscribe with OpenTelemetry
/// (<c>AddMeter(ConcurrentFuturesTelemetry.MeterName)</c>, <c>AddSource(ConcurrentFuturesTelemetry.ActivitySourceName)</c>),
/// <c>dotnet-counters monitor --counters ConcurrentFutures</c>, or a <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// Nothing is measured, and no span is created, while nobody listens.
/// </summary>
/// <remarks>
/// Every measurement carries the tags <c>executor.type</c> (<c>thread_pool</c>, <c>process_pool</c>, <c>cluster</c>)
/// and, when the executor was given one, <c>executor.name</c>. A Map chunk is one work item.
/// </remarks>
public static class ConcurrentFuturesTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>ConcurrentFutures</c>.</summary>
    public const string MeterName = "ConcurrentFutures";

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>ConcurrentFutures</c>. Each work item is an
    /// activity <c>ConcurrentFutures.Work</c> from submission to completion; in a worker process the call runs inside a
    /// child activity <c>ConcurrentFutures.Run</c> of the same trace.
    /// </summary>
    public const string ActivitySourceName = "ConcurrentFutures";

    /// <summary>Counter of work items accepted by an executor.</summary>
    public const string SubmittedCounter = "concurrentfutures.work.submitted";

    /// <summary>Counter of work items that finished with a result.</summary>
    public const string CompletedCounter = "concurrentfutures.work.completed";

    /// <summary>Counter of work items that finished with an exception (including a lost worker or a timeout).</summary>
    public const string FailedCounter = "concurrentfutures.work.failed";

    /// <summary>Counter of work items cancelled before they started.</summary>
    public const string CancelledCounter = "concurrentfutures.work.cancelled";

    /// <summary>Histogram, in seconds, of the time from submission until a worker took the item.</summary>
    public const string QueueWaitHistogram = "concurrentfutures.work.queue_wait";

    /// <summary>Histogram, in seconds, of the time from a worker taking the item until its result was back.</summary>
    public const string DurationHistogram = "concurrentfutures.work.duration";

    /// <summary>Gauge of live worker threads or processes.</summary>
    public const string LiveWorkersGauge = "concurrentfutures.workers.live";

    /// <summary>Gauge of work items waiting for a worker.</summary>
    public const string QueueDepthGauge = "concurrentfutures.queue.depth";

    /// <summary>The name of the activity that spans one work item in the submitting process.</summary>
    public const string WorkActivityName = "ConcurrentFutures.Work";

    /// <summary>The name of the activity that spans one call inside a worker process.</summary>
    public const string RunActivityName = "ConcurrentFutures.Run";
}
