using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ConcurrentFutures;

/// <summary>
/// The metrics and traces of one executor, over the library-wide <see cref="Meter"/> and <see cref="ActivitySource"/>.
/// Work items are observed only while a listener is attached (<see cref="IsObserving"/>), so an unobserved executor pays
/// one check per submission.
/// </summary>
internal sealed class ExecutorTelemetry
{
    private static readonly string? LibraryVersion = typeof(ExecutorTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(ConcurrentFuturesTelemetry.ActivitySourceName, LibraryVersion);

    private static readonly Meter LibraryMeter = new(ConcurrentFuturesTelemetry.MeterName, LibraryVersion);

    /// <summary>Executors alive, for the gauges; weak, so an executor never shut down can still be collected.</summary>
    private static readonly ConditionalWeakTable<ExecutorTelemetry, object?> Live = [];

    private static readonly Counter<long> Submitted = LibraryMeter.CreateCounter<long>(ConcurrentFuturesTelemetry.SubmittedCounter, "{work}", "Work items accepted by an executor.");
    private static readonly Counter<long> Completed = LibraryMeter.CreateCounter<long>(ConcurrentFuturesTelemetry.CompletedCounter, "{work}", "Work items that finished with a result.");
    private static readonly Counter<long> Failed = LibraryMeter.CreateCounter<long>(ConcurrentFuturesTelemetry.FailedCounter, "{work}", "Work items that finished with an exception.");
    private static readonly Counter<long> Cancelled = LibraryMeter.CreateCounter<long>(ConcurrentFuturesTelemetry.CancelledCounter, "{work}", "Work items cancelled before they started.");
    private static readonly Histogram<double> QueueWait = LibraryMeter.CreateHistogram<double>(ConcurrentFuturesTelemetry.QueueWaitHistogram, "s", "Time from submission until a worker took the item.");
    private static readonly Histogram<double> Duration = LibraryMeter.CreateHistogram<double>(ConcurrentFuturesTelemetry.DurationHistogram, "s", "Time from a worker taking the item until its result was back.");

    static ExecutorTelemetry()
    {
        LibraryMeter.CreateObservableGauge(ConcurrentFuturesTelemetry.LiveWorkersGauge, () => Observe(static t => t._liveWorkers), "{worker}", "Live worker threads or processes.");
        LibraryMeter.CreateObservableGauge(ConcurrentFuturesTelemetry.QueueDepthGauge, () => Observe(static t => t._queueDepth), "{work}", "Work items waiting for a worker.");
    }

    /// <summary>The tags of every measurement of this executor.</summary>
    private readonly KeyValuePair<string, object?>[] _tags;

    private Func<int> _liveWorkers = static () => 0;
    private Func<int> _queueDepth = static () => 0;

    public ExecutorTelemetry(string executorType, string? name)
    {
        _tags = name is null
            ? [new("executor.type", executorType)]
            : [new("executor.type", executorType), new("executor.name", name)];
        ExecutorType = executorType;
        Name = name;
    }

    /// <summary>True while a listener wants any per-item measurement or span.</summary>
    public static bool IsObserving =>
        Submitted.Enabled || Completed.Enabled || Failed.Enabled || Cancelled.Enabled || QueueWait.Enabled || Duration.Enabled || Source.HasListeners();

    public string ExecutorType { get; }

    public string? Name { get; }

    /// <summary>Publishes this executor's gauges from now until <see cref="Untrack"/>.</summary>
    public void Track(Func<int> liveWorkers, Func<int> queueDepth)
    {
        (_liveWorkers, _queueDepth) = (liveWorkers, queueDepth);
        Live.AddOrUpdate(this, null);
    }

    public void Untrack() => Live.Remove(this);

    /// <summary>Starts observing a call of <paramref name="method"/> about to be scheduled; null when nobody listens.</summary>
    public WorkObservation? BeginWork(System.Reflection.MethodInfo method) => IsObserving ? new WorkObservation(this, method) : null;

    /// <summary>The item was accepted by the executor.</summary>
    public void RecordSubmitted() => Submitted.Add(1, _tags);

    public void RecordQueueWait(TimeSpan wait) => QueueWait.Record(wait.TotalSeconds, _tags);

    public void RecordDone(bool cancelled, bool failed, TimeSpan? duration)
    {
        if (duration is { } elapsed)
        {
            Duration.Record(elapsed.TotalSeconds, _tags);
        }

        (cancelled ? Cancelled : failed ? Failed : Completed).Add(1, _tags);
    }

    /// <summary>Adds this executor's tags to a span.</summary>
    public void Tag(Activity activity)
    {
        foreach (KeyValuePair<string, object?> tag in _tags)
        {
            activity.SetTag(tag.Key, tag.Value);
        }
    }

    private static IEnumerable<Measurement<int>> Observe(Func<ExecutorTelemetry, Func<int>> gauge)
    {
        foreach (KeyValuePair<ExecutorTelemetry, object?> entry in Live)
        {
            int value;
            try
            {
                value = gauge(entry.Key)();
            }
            catch (ObjectDisposedException)
            {
                continue; // shut down between the snapshot and the read
            }

            yield return new Measurement<int>(value, entry.Key._tags);
        }
    }
}
