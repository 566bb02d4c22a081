using System.Diagnostics;

namespace ConcurrentFutures;

/// <summary>Done callbacks and waiters: stored under the future's lock, run outside it on completion.</summary>
public partial class Future
{
    private bool TryAddCallback(object callback)
    {
        lock (_gate)
        {
            if (IsDone)
            {
                return false;
            }

            switch (_callbacks)
            {
                case null:
                    _callbacks = callback;
                    break;
                case List<object> list:
                    list.Add(callback);
                    break;
                default:
                    _callbacks = new List<object>(4) { _callbacks, callback };
                    break;
            }

            return true;
        }
    }

    /// <summary>Called under the lock on completion: wakes blocked waiters and hands back what to run outside it.</summary>
    private object? TakeCallbacksLocked()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "TakeCallbacksLocked runs under _gate");
        if (_blockedWaiters > 0)
        {
            Monitor.PulseAll(_gate);
        }

        object? callbacks = _callbacks;
        _callbacks = null;
        return callbacks;
    }

    /// <summary>Runs callbacks and completes the task outside the lock, so callbacks may use this or other futures freely.</summary>
    private void RunCompletion(object? callbacks)
    {
        if (Volatile.Read(ref _taskSource) is { } taskSource)
        {
            CompleteTaskSource(taskSource);
        }

        switch (callbacks)
        {
            case null:
                break;
            case List<object> list:
                foreach (object callback in list)
                {
                    InvokeCallback(callback);
                }

                break;
            default:
                InvokeCallback(callbacks);
                break;
        }
    }

    private void InvokeCallback(object callback)
    {
        if (callback is IFutureWaiter waiter)
        {
            waiter.OnDone(this);
            return;
        }

        try
        {
            ((Action<Future>)callback)(this);
        }
#pragma warning disable CA1031 // A user callback's failure must never stop the other callbacks nor the executor.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Trace.TraceError($"ConcurrentFutures: exception calling done callback for {this}: {exception}");
        }
    }
}
