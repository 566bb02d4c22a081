using System.Diagnostics;
using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Tests.Diagnostics;

public class TelemetryTests
{
    [Fact]
    public void ThreadPool_CountsSubmittedCompletedFailedAndCancelledWork()
    {
        string name = $"metrics-{Guid.NewGuid():N}";
        using var recorder = new TelemetryRecorder(name);
        using var gate = new ManualResetEventSlim();
        using (var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, Name = name }))
        {
            Future<int> blocker = executor.Submit(() => gate.Wait(TimeSpan.FromSeconds(30)) ? 1 : 0);
            Future<int> cancelled = executor.Submit(Work.Square, 3);
            Future<int> failed = executor.Submit(TelemetryFunctions.Fail, 1);
            Future<int> ok = executor.Submit(Work.Square, 4);
            Assert.True(cancelled.Cancel());

            recorder.ObserveGauges();
            Assert.Contains(recorder.Measurements, m => m.Instrument == ConcurrentFuturesTelemetry.LiveWorkersGauge && m.Value == 1);
            Assert.Contains(recorder.Measurements, m => m.Instrument == ConcurrentFuturesTelemetry.QueueDepthGauge && m.Value >= 2);

            gate.Set();
            Assert.Equal(16, ok.Result());
            Assert.Equal(1, blocker.Result());
            Assert.IsType<InvalidOperationException>(failed.GetException());
        }

        Assert.Equal(4, recorder.Sum(ConcurrentFuturesTelemetry.SubmittedCounter));
        Assert.Equal(2, recorder.Sum(ConcurrentFuturesTelemetry.CompletedCounter));
        Assert.Equal(1, recorder.Sum(ConcurrentFuturesTelemetry.FailedCounter));
        Assert.Equal(1, recorder.Sum(ConcurrentFuturesTelemetry.CancelledCounter));
        Assert.Equal(3, recorder.Count(ConcurrentFuturesTelemetry.QueueWaitHistogram)); // the cancelled item never started
        Assert.Equal(3, recorder.Count(ConcurrentFuturesTelemetry.DurationHistogram));
        Assert.All(recorder.Measurements.Where(m => m.Instrument == ConcurrentFuturesTelemetry.DurationHistogram), m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public void ThreadPool_RunsWorkInsideItsSpan_AndEndsTheSpanWithTheOutcome()
    {
        string name = $"spans-{Guid.NewGuid():N}";
        using var recorder = new TelemetryRecorder(name);
        using var parent = new Activity("test-parent").Start();
        string? seen;
        using (var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Name = name }))
        {
            Assert.Same(parent, Activity.Current); // submitting does not leave the work's span current
            seen = executor.Submit(() => Activity.Current?.SpanId.ToString()).Result();
            _ = executor.Submit(TelemetryFunctions.Fail, 2).GetException();
            Assert.Same(parent, Activity.Current);
        }

        Activity[] spans = [.. recorder.Stopped];
        Assert.Equal(2, spans.Length);
        Assert.All(spans, s => Assert.Equal(parent.TraceId, s.TraceId));
        Assert.All(spans, s => Assert.Equal(parent.SpanId, s.ParentSpanId));
        Assert.Contains(spans, s => s.Status == ActivityStatusCode.Error && s.StatusDescription == "failing 2");
        Assert.Contains(spans, s => s.Status == ActivityStatusCode.Unset && seen == s.SpanId.ToString());
    }

    [Fact]
    public void ProcessPool_CarriesTheTraceIntoTheWorker_AndCountsItsWork()
    {
        string name = $"process-{Guid.NewGuid():N}";
        using var recorder = new TelemetryRecorder(name);
        string remote;
        using (var executor = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, Name = name }))
        {
            remote = executor.Submit(TelemetryFunctions.CurrentTrace).Result(TimeSpan.FromSeconds(60));
            Assert.Equal([1, 4, 9], executor.Map(Work.Square, [1, 2, 3], chunkSize: 2).ToArray());
        }

        // Completion callbacks run on the pool's reader thread; give them a moment after the futures are done.
        SpinWait.SpinUntil(() => recorder.Sum(ConcurrentFuturesTelemetry.CompletedCounter) >= 3, TimeSpan.FromSeconds(10));
        Activity span = recorder.Stopped.First(s => s.DisplayName.EndsWith(nameof(TelemetryFunctions.CurrentTrace), StringComparison.Ordinal));
        string[] parts = remote.Split('/');
        Assert.Equal(span.TraceId.ToString(), parts[0]); // same trace in the worker
        Assert.Equal(span.SpanId.ToString(), parts[1]);  // the worker's span is a child of the work item's span
        Assert.NotEqual(Environment.ProcessId.ToString(), parts[2]);
        Assert.Equal(3, recorder.Sum(ConcurrentFuturesTelemetry.SubmittedCounter)); // one call + two chunks
        Assert.Equal(3, recorder.Sum(ConcurrentFuturesTelemetry.CompletedCounter));
        Assert.Equal(3, recorder.Count(ConcurrentFuturesTelemetry.QueueWaitHistogram));
    }
}
