using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A counting semaphore shared by processes. Python: <c>multiprocessing.Semaphore</c>. Passed to a child, it is the
/// same semaphore. A count taken by a process that dies is not given back (as in Python).
/// </summary>
[MessagePackFormatter(typeof(NamedHandleFormatter<ProcessSemaphore>))]
[SupportedOSPlatform("linux")]
public sealed class ProcessSemaphore : IDisposable, INamedHandle<ProcessSemaphore>
{
    private readonly SharedCounter _count;

    /// <summary>Creates a semaphore with <paramref name="initialCount"/> free slots.</summary>
    /// <param name="initialCount">The initial count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public ProcessSemaphore(int initialCount)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(ProcessSemaphore));
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        _count = new SharedCounter(initialCount);
    }

    private ProcessSemaphore(SharedCounter count) => _count = count;

    /// <summary>The current count (approximate while others change it).</summary>
    public int Count => Volatile.Read(ref _count.Value);

    string INamedHandle<ProcessSemaphore>.Name => _count.Name;

    /// <summary>Waits for a free slot and takes it. Python: <c>acquire()</c>.</summary>
    public void Acquire() => TryAcquire(Timeout.InfiniteTimeSpan);

    /// <summary>Takes a slot if one frees up within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>True if a slot was taken.</returns>
    public bool TryAcquire(TimeSpan timeout) => _count.WaitUntil(TryTake, timeout);

    /// <summary>Async twin of <see cref="Acquire"/>: waits for a free slot without blocking a thread, then takes it.</summary>
    /// <param name="cancellationToken">Stops waiting; no slot is taken then.</param>
    /// <returns>A task that completes once a slot is taken.</returns>
    public Task AcquireAsync(CancellationToken cancellationToken = default) => SharedCounter.WaitUntilAsync(TryTake, cancellationToken);

    /// <summary>Gives a slot back. Python: <c>release()</c>.</summary>
    public void Release()
    {
        Interlocked.Increment(ref _count.Value);
        _count.Changed();
    }

    /// <summary>Unmaps the semaphore here; the creating process also removes it.</summary>
    public void Dispose() => _count.Dispose();

    static ProcessSemaphore INamedHandle<ProcessSemaphore>.Open(string name) => new(SharedCounter.Open(name));

    private bool TryTake()
    {
        int current = Volatile.Read(ref _count.Value);
        return current > 0 && Interlocked.CompareExchange(ref _count.Value, current - 1, current) == current;
    }
}

