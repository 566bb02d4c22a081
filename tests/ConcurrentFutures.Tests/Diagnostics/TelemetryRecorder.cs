using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ConcurrentFutures.Tests.Diagnostics;

/// <summary>
/// Listens to the library's meter and activity source, keeping only what is tagged with one executor name, so tests
/// running in parallel do not see each other's work.
/// </summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly string _executorName;
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;

    public TelemetryRecorder(string executorName)
    {
        _executorName = executorName;
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ConcurrentFuturesTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ConcurrentFuturesTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("executor.name"), _executorName))
                {
                    Stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);
    }

    /// <summary>Every measurement of this executor: instrument name and value.</summary>
    public ConcurrentQueue<(string Instrument, double Value)> Measurements { get; } = new();

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    public double Sum(string instrument) => Measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    public int Count(string instrument) => Measurements.Count(m => m.Instrument == instrument);

    /// <summary>Reads the gauges now.</summary>
    public void ObserveGauges() => _meters.RecordObservableInstruments();

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "executor.name" && Equals(tag.Value, _executorName))
            {
                Measurements.Enqueue((instrument.Name, Convert.ToDouble(value)));
                return;
            }
        }
    }
}
