using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A lock shared by processes (a named mutex). Python: <c>multiprocessing.Lock</c>. Pass it to a <see cref="Process"/>
/// or pool work; the child gets the same lock. Like <see cref="System.Threading.Mutex"/>, it is released by the
/// thread that acquired it: prefer <c>using (theLock.Hold()) { ... }</c>.
/// </summary>
/// <remarks>
/// If a process dies while holding the lock, the lock is released by the system and the next <see cref="Acquire"/>
/// succeeds (it never deadlocks); the data the lock protected may then be half-updated.
/// </remarks>
[MessagePackFormatter(typeof(NamedHandleFormatter<ProcessLock>))]
[SupportedOSPlatform("linux")]
public sealed class ProcessLock : IDisposable, INamedHandle<ProcessLock>
{
    private readonly Mutex _mutex;

    /// <summary>Creates a new lock.</summary>
    public ProcessLock()
        : this("cf-lock-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)).ToLowerInvariant())
    {
    }

    private ProcessLock(string name)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(ProcessLock));
        Name = name;
        _mutex = new Mutex(initiallyOwned: false, name);
    }

    internal string Name { get; }

    /// <inheritdoc/>
    string INamedHandle<ProcessLock>.Name => Name;

    /// <summary>Waits until the lock is free and takes it. Python: <c>acquire()</c>.</summary>
    public void Acquire() => TryAcquire(Timeout.InfiniteTimeSpan);

    /// <summary>Takes the lock if it becomes free within <paramref name="timeout"/>. Python: <c>acquire(timeout=)</c>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>True if this thread now holds the lock.</returns>
    public bool TryAcquire(TimeSpan timeout)
    {
        try
        {
            return _mutex.WaitOne(timeout);
        }
        catch (AbandonedMutexException)
        {
            return true; // the previous holder died; the lock is now ours
        }
    }

    /// <summary>Releases the lock. Python: <c>release()</c>.</summary>
    /// <exception cref="SynchronizationLockException">This thread does not hold the lock (it is free, held by another
    /// thread, or held by another process), as <see cref="Monitor.Exit(object)"/> throws.</exception>
    public void Release()
    {
        try
        {
            _mutex.ReleaseMutex();
        }
        catch (ApplicationException exception)
        {
            throw new SynchronizationLockException(
                "This thread does not hold the ProcessLock: it is released by the thread that acquired it (use `using (theLock.Hold())`), and only once.",
                exception);
        }
    }

    /// <summary>Acquires the lock and returns a scope that releases it. Python: <c>with lock:</c>.</summary>
    /// <returns>Dispose it (on the same thread) to release the lock.</returns>
    public IDisposable Hold()
    {
        Acquire();
        return new Releaser(this);
    }

    /// <summary>Closes this process's handle to the lock.</summary>
    public void Dispose() => _mutex.Dispose();

    static ProcessLock INamedHandle<ProcessLock>.Open(string name) => new(name);

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

