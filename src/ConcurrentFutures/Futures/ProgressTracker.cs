using System.Diagnostics;

namespace ConcurrentFutures;

/// <summary>
/// Counts finished futures of one Map or AsCompleted call and reports each change. Futures finish on any thread, so
/// counting and reporting happen under <see cref="_lock"/>: every report is newer than the one before it.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly Lock _lock = new();
    private readonly IProgress<FutureProgress> _progress;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly Action<Future> _onDone;
    private int _done;
    private int _failed;
    private int? _total;

    public ProgressTracker(IProgress<FutureProgress> progress, int? total)
    {
        (_progress, _total) = (progress, total);
        _onDone = future => Finished(future, 1);
    }

    /// <summary>Counts <paramref name="future"/> as one item when it finishes.</summary>
    public void Track(Future future) => future.AddDoneCallback(_onDone);

    /// <summary>Counts <paramref name="future"/> as <paramref name="items"/> items when it finishes (a Map chunk).</summary>
    public void Track(Future future, int items)
    {
        if (items == 1)
        {
            Track(future);
        }
        else
        {
            future.AddDoneCallback(f => Finished(f, items));
        }
    }

    /// <summary>The source was read to its end: the total is now known.</summary>
    public void SetTotal(int total)
    {
        lock (_lock)
        {
            if (_total == total)
            {
                return;
            }

            _total = total;
            Report();
        }
    }

    private void Finished(Future future, int items)
    {
        bool failed = future.IsCancelled || future.HasException;
        lock (_lock)
        {
            _done += items;
            _failed += failed ? items : 0;
            Report();
        }
    }

    private void Report() => _progress.Report(new FutureProgress(_done, _failed, _total, Stopwatch.GetElapsedTime(_startedAt)));
}
