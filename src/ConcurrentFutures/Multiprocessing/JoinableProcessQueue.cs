using System.Runtime.Versioning;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A <see cref="ProcessQueue{T}"/> that counts unfinished items: each <c>Put</c> adds one, each <see cref="TaskDone"/>
/// removes one, and <see cref="Join()"/> waits until none is left. Python: <c>multiprocessing.JoinableQueue</c>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[MessagePack.MessagePackFormatter(typeof(JoinableQueueHandleFormatter<>))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name is fixed by the API contract (Python's multiprocessing.JoinableQueue).")]
[SupportedOSPlatform("linux")]
public sealed class JoinableProcessQueue<T> : ProcessQueue<T>
{
    /// <summary>Creates a joinable queue owned by this process.</summary>
    /// <param name="maxSize">Maximum items held; 0 = unbounded.</param>
    public JoinableProcessQueue(int maxSize = 0)
        : base(maxSize, joinable: true)
    {
    }

    internal JoinableProcessQueue(SharedRing ring)
        : base(ring)
    {
    }

    /// <summary>Marks one item taken with Get as processed. Python: <c>task_done()</c>.</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put.</exception>
    public void TaskDone() => Ring.TaskDone();

    /// <summary>Waits until every item put has been marked done. Python: <c>join()</c>.</summary>
    public void Join() => Join(Timeout.InfiniteTimeSpan);

    /// <summary>Waits until every item put has been marked done, at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>False if items were still unfinished after <paramref name="timeout"/>.</returns>
    public bool Join(TimeSpan timeout) => Ring.WaitAllDone(Deadline.From(timeout));

    /// <summary>Async twin of <see cref="Join()"/>: waits until every item put has been marked done, without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task that completes when no item is left unfinished.</returns>
    /// <exception cref="InvalidOperationException">The queue was closed.</exception>
    public async Task JoinAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SharedRing ring = Ring;
        using var use = ring.Use();
        while (true)
        {
            int seen = ring.DoneWatcher.Current;
            ring.ThrowIfClosed();
            if (ring.Unfinished == 0)
            {
                return;
            }

            await ring.DoneWatcher.WaitAsync(seen, cancellationToken).ConfigureAwait(false);
        }
    }
}
