namespace ConcurrentFutures;

/// <summary>
/// Runs calls asynchronously and hands back a <see cref="Future{T}"/> for each. Python:
/// <c>concurrent.futures.Executor</c>. Use it in a <c>using</c> block as you would use Python's <c>with</c>:
/// disposing waits for submitted work to finish.
/// </summary>
/// <remarks>
/// Implementations: <see cref="ThreadPoolExecutor"/> (threads of this process), <c>ProcessPoolExecutor</c> (worker
/// processes) and <c>ClusterExecutor</c> (Orleans silos). All members are thread-safe.
/// </remarks>
public abstract partial class Executor : IDisposable, IAsyncDisposable
{
    /// <summary>Executors are created through their concrete types.</summary>
    /// <param name="executorType">The <c>executor.type</c> tag of its metrics and spans, e.g. <c>thread_pool</c>.</param>
    /// <param name="name">The <c>executor.name</c> tag, or null.</param>
    private protected Executor(string executorType, string? name)
    {
        Telemetry = new ExecutorTelemetry(executorType, name);
    }

    /// <summary>This executor's metrics and spans.</summary>
    internal ExecutorTelemetry Telemetry { get; }

    /// <summary>Set when a host gave up waiting for this executor: later Dispose/Shutdown calls do not wait either.</summary>
    private volatile bool _waitsAbandoned;

    /// <summary>
    /// A host's shutdown deadline passed: stop waiting for work that may never end (a hung thread cannot be killed), so
    /// that disposing the executor afterwards does not block the host.
    /// </summary>
    internal void AbandonWaits() => _waitsAbandoned = true;

    /// <summary>Schedules <c>fn()</c>. Python: <c>submit(fn)</c>.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<TResult>(Func<TResult> fn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<VoidResult, VoidResult, VoidResult, TResult>(fn, 0, default, default, default, static (f, _, _, _) => ((Func<TResult>)f)()), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1)</c>. Python: <c>submit(fn, arg1)</c>.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<T1, TResult>(Func<T1, TResult> fn, T1 arg1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, VoidResult, VoidResult, TResult>(fn, 1, arg1, default, default, static (f, a, _, _) => ((Func<T1, TResult>)f)(a)), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2)</c>. Python: <c>submit(fn, arg1, arg2)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, VoidResult, TResult>(fn, 2, arg1, arg2, default, static (f, a, b, _) => ((Func<T1, T2, TResult>)f)(a, b)), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3)</c>. Python: <c>submit(fn, arg1, arg2, arg3)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, TResult>(fn, 3, arg1, arg2, arg3, static (f, a, b, c) => ((Func<T1, T2, T3, TResult>)f)(a, b, c)), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3, arg4)</c>. Python: <c>submit(fn, arg1, arg2, arg3, arg4)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, VoidResult, VoidResult, TResult>(fn, 4, arg1, arg2, arg3, arg4, default, default, static (f, a, b, c, d, _, _) => ((Func<T1, T2, T3, T4, TResult>)f)(a, b, c, d)), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3, arg4, arg5)</c>. Python: <c>submit(fn, arg1, arg2, arg3, arg4, arg5)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, VoidResult, TResult>(fn, 5, arg1, arg2, arg3, arg4, arg5, default, static (f, a, b, c, d, e, _) => ((Func<T1, T2, T3, T4, T5, TResult>)f)(a, b, c, d, e)), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3, arg4, arg5, arg6)</c>. Python: <c>submit(fn, arg1, arg2, arg3, arg4, arg5, arg6)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="T6">The sixth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="arg6">The sixth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, T6, TResult>(fn, 6, arg1, arg2, arg3, arg4, arg5, arg6, static (f, a, b, c, d, e, g) => ((Func<T1, T2, T3, T4, T5, T6, TResult>)f)(a, b, c, d, e, g)), cancellationToken);
    }

    /// <summary>Schedules <c>fn()</c>, which returns nothing.</summary>
    /// <param name="fn">The work.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit(Action fn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<VoidResult, VoidResult, VoidResult, VoidResult>(fn, 0, default, default, default, static (f, _, _, _) =>
        {
            ((Action)f)();
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1)</c>, which returns nothing.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit<T1>(Action<T1> fn, T1 arg1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, VoidResult, VoidResult, VoidResult>(fn, 1, arg1, default, default, static (f, a, _, _) =>
        {
            ((Action<T1>)f)(a);
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2)</c>, which returns nothing.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit<T1, T2>(Action<T1, T2> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, VoidResult, VoidResult>(fn, 2, arg1, arg2, default, static (f, a, b, _) =>
        {
            ((Action<T1, T2>)f)(a, b);
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3)</c>, which returns nothing.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit<T1, T2, T3>(Action<T1, T2, T3> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, VoidResult>(fn, 3, arg1, arg2, arg3, static (f, a, b, c) =>
        {
            ((Action<T1, T2, T3>)f)(a, b, c);
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3, arg4)</c>, which returns nothing.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit<T1, T2, T3, T4>(Action<T1, T2, T3, T4> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, VoidResult, VoidResult, VoidResult>(fn, 4, arg1, arg2, arg3, arg4, default, default, static (f, a, b, c, d, _, _) =>
        {
            ((Action<T1, T2, T3, T4>)f)(a, b, c, d);
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3, arg4, arg5)</c>, which returns nothing.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, VoidResult, VoidResult>(fn, 5, arg1, arg2, arg3, arg4, arg5, default, static (f, a, b, c, d, e, _) =>
        {
            ((Action<T1, T2, T3, T4, T5>)f)(a, b, c, d, e);
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>Schedules <c>fn(arg1, arg2, arg3, arg4, arg5, arg6)</c>, which returns nothing.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="T6">The sixth argument type.</typeparam>
    /// <param name="fn">The work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="arg6">The sixth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the work has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future Submit<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, T6, VoidResult>(fn, 6, arg1, arg2, arg3, arg4, arg5, arg6, static (f, a, b, c, d, e, g) =>
        {
            ((Action<T1, T2, T3, T4, T5, T6>)f)(a, b, c, d, e, g);
            return default(VoidResult);
        }), cancellationToken);
    }

    /// <summary>
    /// Shuts the executor down: no new work is accepted; queued work still runs unless <paramref name="cancelFutures"/>.
    /// Idempotent. Python: <c>shutdown(wait, cancel_futures)</c>.
    /// </summary>
    /// <param name="wait">Block until all running and queued work is done and the workers have exited.</param>
    /// <param name="cancelFutures">Cancel work that has not started; it ends <see cref="FutureState.Cancelled"/>.</param>
    public void Shutdown(bool wait = true, bool cancelFutures = false) => ShutdownTracked(wait, cancelFutures);

    /// <summary>Shuts down and waits for all work: the same as <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts down and waits, without blocking a thread, for all work to finish and the workers to exit.</summary>
    /// <returns>A task that completes when the executor has terminated.</returns>
    public async ValueTask DisposeAsync()
    {
        ShutdownTracked(wait: false, cancelFutures: false);
        if (!_waitsAbandoned)
        {
            await WhenTerminatedAsync().ConfigureAwait(false);
        }

        Dispose(disposing: false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Queues a work item; throws when the executor no longer accepts work.</summary>
    internal abstract void Schedule(WorkItem workItem);

    /// <summary>Implements <see cref="Shutdown"/>; must be idempotent and thread-safe.</summary>
    internal abstract void ShutdownCore(bool wait, bool cancelFutures);

    /// <summary>Completes when, after a shutdown, every worker has exited.</summary>
    internal abstract Task WhenTerminatedAsync();

    /// <summary>
    /// Shuts down (as <c>Shutdown(wait: false, cancelFutures)</c>) and completes when all work is done and the workers
    /// have exited: the async twin of <c>Shutdown(wait: true)</c>. Cancelling the token stops the waiting, not the work.
    /// </summary>
    /// <param name="cancelFutures">Cancel work that has not started.</param>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>A task that completes when the executor has terminated.</returns>
    public async Task ShutdownAsync(bool cancelFutures = false, CancellationToken cancellationToken = default)
    {
        ShutdownTracked(wait: false, cancelFutures);
        await WhenTerminatedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases resources; the base implementation shuts down and waits when <paramref name="disposing"/>.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            ShutdownTracked(wait: true, cancelFutures: false);
        }
    }

    /// <summary>Shuts down and stops publishing this executor's gauges once it has terminated.</summary>
    private protected void ShutdownTracked(bool wait, bool cancelFutures)
    {
        ShutdownCore(wait && !_waitsAbandoned, cancelFutures);
        WhenTerminatedAsync().ContinueWith(static (_, state) => ((ExecutorTelemetry)state!).Untrack(), Telemetry, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Queues a work item whose future is cancelled when <paramref name="cancellationToken"/> is, if it has not started
    /// by then (executors mark a future running before its work runs, and skip work whose future was cancelled).
    /// </summary>
    private Future<TResult> Enqueue<TResult>(WorkItem<TResult> workItem, CancellationToken cancellationToken)
    {
        Future<TResult> future = workItem.TypedFuture;
        if (cancellationToken.IsCancellationRequested)
        {
            future.Cancel(); // never queued: nothing runs, as Task.Run with a cancelled token
            return future;
        }

        Enqueue(workItem);
        if (cancellationToken.CanBeCanceled && !future.IsDone)
        {
            CancellationTokenRegistration registration = cancellationToken.Register(static state => ((Future)state!).Cancel(), future);
            future.AddDoneCallback(_ => registration.Unregister()); // Unregister, not Dispose: this may run inside the token's own callback
        }

        return future;
    }

    private Future<TResult> Enqueue<TResult>(WorkItem<TResult> workItem)
    {
        WorkObservation? observation = Telemetry.BeginWork(workItem.Function.Method);
        if (observation is null)
        {
            Schedule(workItem);
            return workItem.TypedFuture;
        }

        return EnqueueObserved(workItem, observation);
    }

    /// <summary>As <see cref="Enqueue{TResult}(WorkItem{TResult})"/> while telemetry watches (its own method: the callback's closure is allocated only here).</summary>
    private Future<TResult> EnqueueObserved<TResult>(WorkItem<TResult> workItem, WorkObservation observation)
    {
        workItem.Observation = observation;

        try
        {
            Schedule(workItem);
        }
        catch (Exception exception)
        {
            observation.Rejected(exception);
            throw;
        }

        observation.Accepted();
        workItem.TypedFuture.AddDoneCallback(future => observation.Done(future.IsCancelled, future.IsCancelled ? null : future.GetException(TimeSpan.Zero)));
        return workItem.TypedFuture;
    }
}
