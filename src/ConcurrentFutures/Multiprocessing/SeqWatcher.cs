using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Lets async callers wait for a ring's futex word to change without blocking a thread each: one background thread
/// per word and process sleeps on it while any caller waits, and completes a task that every waiting caller awaits.
/// The thread ends when no caller waits any more.
/// </summary>
internal sealed class SeqWatcher
{
    private const int SleepMilliseconds = 200;

    private readonly SharedRing _ring;
    private readonly nint _seq;
    private readonly nint _waiters;
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = NewSource();
    private int _interested;
    private bool _running;

    public unsafe SeqWatcher(SharedRing ring, int* seq, int* waiters)
    {
        _ring = ring;
        _seq = (nint)seq;
        _waiters = (nint)waiters;
    }

    public unsafe int Current => Volatile.Read(ref *(int*)_seq);

    /// <summary>Completes once the word differs from <paramref name="seen"/> (or may have), or on cancellation.</summary>
    public async Task WaitAsync(int seen, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            _interested++;
            changed = _changed.Task;
            if (!_running)
            {
                _running = true;
                new Thread(Watch) { IsBackground = true, Name = "ProcessQueue waiter" }.Start();
            }
        }

        try
        {
            if (Current == seen)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_lock)
            {
                _interested--;
            }
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private unsafe void Watch()
    {
        SharedRing.MappingUse use;
        try
        {
            use = _ring.Use();
        }
        catch (ObjectDisposedException)
        {
            Stop();
            return;
        }

        using (use)
        {
            Interlocked.Increment(ref *(int*)_waiters);
            try
            {
                Loop();
            }
            finally
            {
                Interlocked.Decrement(ref *(int*)_waiters);
            }
        }
    }

    private unsafe void Loop()
    {
        while (true)
        {
            int value = Current;
            TaskCompletionSource generation;
            lock (_lock)
            {
                if (_interested == 0 || _ring.IsDisposed)
                {
                    break;
                }

                generation = _changed;
            }

            Futex.Wait((int*)_seq, value, SleepMilliseconds);
            if (Current != value)
            {
                lock (_lock)
                {
                    _changed = NewSource();
                }

                generation.TrySetResult();
            }
        }

        Stop();
    }

    /// <summary>Ends this thread's watch; callers still waiting (the ring was disposed) wake and find out.</summary>
    private void Stop()
    {
        TaskCompletionSource generation;
        lock (_lock)
        {
            _running = false;
            generation = _changed;
            _changed = NewSource();
        }

        generation.TrySetResult();
    }
}
