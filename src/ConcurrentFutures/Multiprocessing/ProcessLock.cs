using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A lock shared by processes. Python: <c>multiprocessing.Lock</c>. Pass it to a <see cref="Process"/> or pool work;
/// the child gets the same lock. As Python's, it is not recursive (a second <see cref="Acquire"/> by the holder waits)
/// and any thread or process may release it, so <see cref="AcquireAsync"/> and <c>using (await theLock.HoldAsync())</c>
/// work across awaits. Prefer <c>using (theLock.Hold()) { ... }</c>.
/// </summary>
/// <remarks>
/// The lock is one word in shared memory holding the holder's process id (a futex): taking it is an atomic
/// compare-and-swap, waiting sleeps on the word. If a process dies while holding the lock, the next
/// <see cref="Acquire"/> finds its holder gone and takes it (it never deadlocks); the data the lock protected may then
/// be half-updated.
/// </remarks>
[MessagePackFormatter(typeof(NamedHandleFormatter<ProcessLock>))]
[SupportedOSPlatform("linux")]
public sealed class ProcessLock : IDisposable, INamedHandle<ProcessLock>
{
    private static readonly int s_pid = Environment.ProcessId;

    /// <summary>The holder's process id, or 0 when free.</summary>
    private readonly SharedCounter _holder;

    /// <summary>Creates a new lock.</summary>
    public ProcessLock()
    {
        PlatformSupport.ThrowIfUnsupported(nameof(ProcessLock));
        _holder = new SharedCounter(0);
    }

    private ProcessLock(SharedCounter holder) => _holder = holder;

    /// <inheritdoc/>
    string INamedHandle<ProcessLock>.Name => _holder.Name;

    /// <summary>Waits until the lock is free and takes it. Python: <c>acquire()</c>.</summary>
    public void Acquire() => TryAcquire(Timeout.InfiniteTimeSpan);

    /// <summary>Takes the lock if it becomes free within <paramref name="timeout"/>. Python: <c>acquire(timeout=)</c>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>True if the lock is now taken (by this call).</returns>
    public bool TryAcquire(TimeSpan timeout) => _holder.WaitUntil(TryTake, timeout);

    /// <summary>Async twin of <see cref="Acquire"/>: waits for the lock without blocking a thread, then takes it.</summary>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>; the lock is then not taken.</param>
    /// <returns>A task that completes once the lock is taken.</returns>
    public Task AcquireAsync(CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : SharedCounter.WaitUntilAsync(TryTake, cancellationToken);

    /// <summary>Releases the lock; any thread or process may (as in Python). Python: <c>release()</c>.</summary>
    /// <exception cref="SynchronizationLockException">The lock is not held (Python: <c>ValueError</c>).</exception>
    public void Release()
    {
        while (true)
        {
            int holder = Volatile.Read(ref _holder.Value);
            if (holder == 0)
            {
                throw new SynchronizationLockException("The ProcessLock is not held: it was released more times than it was acquired.");
            }

            if (Interlocked.CompareExchange(ref _holder.Value, 0, holder) == holder)
            {
                _holder.Changed();
                return;
            }
        }
    }

    /// <summary>Acquires the lock and returns a scope that releases it. Python: <c>with lock:</c>.</summary>
    /// <returns>Dispose it to release the lock (once; later disposals do nothing).</returns>
    public IDisposable Hold()
    {
        Acquire();
        return new Releaser(this);
    }

    /// <summary>Async twin of <see cref="Hold"/>: <c>using (await theLock.HoldAsync(ct)) { ... }</c>.</summary>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>; the lock is then not taken.</param>
    /// <returns>A scope that releases the lock when disposed.</returns>
    public async Task<IDisposable> HoldAsync(CancellationToken cancellationToken = default)
    {
        await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(this);
    }

    /// <summary>Unmaps the lock here; the creating process also removes its name.</summary>
    public void Dispose() => _holder.Dispose();

    static ProcessLock INamedHandle<ProcessLock>.Open(string name) => new(SharedCounter.Open(name));

    /// <summary>Takes the lock if it is free, or if its holder's process has exited without releasing it.</summary>
    private bool TryTake()
    {
        int holder = Volatile.Read(ref _holder.Value);
        if (holder != 0 && (holder == s_pid || NativeMethods.IsRunning(holder)))
        {
            return false;
        }

        return Interlocked.CompareExchange(ref _holder.Value, s_pid, holder) == holder;
    }

    private sealed class Releaser(ProcessLock owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
