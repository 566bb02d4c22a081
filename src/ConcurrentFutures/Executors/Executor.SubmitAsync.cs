namespace ConcurrentFutures;

/// <summary>Submission of async work: the future completes with the result of the returned task.</summary>
public abstract partial class Executor
{
    /// <summary>Schedules async work <c>await fn()</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<TResult>(Func<Task<TResult>> fn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<VoidResult, VoidResult, VoidResult, TResult>(fn, 0, default, default, default, static (f, _, _, _) => ((Func<Task<TResult>>)f)()), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1)</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, TResult>(Func<T1, Task<TResult>> fn, T1 arg1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, VoidResult, VoidResult, TResult>(fn, 1, arg1, default, default, static (f, a, _, _) => ((Func<T1, Task<TResult>>)f)(a)), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2)</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, TResult>(Func<T1, T2, Task<TResult>> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, VoidResult, TResult>(fn, 2, arg1, arg2, default, static (f, a, b, _) => ((Func<T1, T2, Task<TResult>>)f)(a, b)), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3)</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, TResult>(fn, 3, arg1, arg2, arg3, static (f, a, b, c) => ((Func<T1, T2, T3, Task<TResult>>)f)(a, b, c)), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3, arg4)</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, VoidResult, VoidResult, TResult>(fn, 4, arg1, arg2, arg3, arg4, default, default, static (f, a, b, c, d, _, _) => ((Func<T1, T2, T3, T4, Task<TResult>>)f)(a, b, c, d)), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3, arg4, arg5)</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, VoidResult, TResult>(fn, 5, arg1, arg2, arg3, arg4, arg5, default, static (f, a, b, c, d, e, _) => ((Func<T1, T2, T3, T4, T5, Task<TResult>>)f)(a, b, c, d, e)), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3, arg4, arg5, arg6)</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="T6">The sixth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="arg6">The sixth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, T6, TResult>(fn, 6, arg1, arg2, arg3, arg4, arg5, arg6, static (f, a, b, c, d, e, g) => ((Func<T1, T2, T3, T4, T5, T6, Task<TResult>>)f)(a, b, c, d, e, g)), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn()</c> that returns no value.</summary>
    /// <param name="fn">The async work.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync(Func<Task> fn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<VoidResult, VoidResult, VoidResult, VoidResult>(fn, 0, default, default, default, static (f, _, _, _) => Void(((Func<Task>)f)())), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1)</c> that returns no value.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1>(Func<T1, Task> fn, T1 arg1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, VoidResult, VoidResult, VoidResult>(fn, 1, arg1, default, default, static (f, a, _, _) => Void(((Func<T1, Task>)f)(a))), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2>(Func<T1, T2, Task> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, VoidResult, VoidResult>(fn, 2, arg1, arg2, default, static (f, a, b, _) => Void(((Func<T1, T2, Task>)f)(a, b))), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2, T3>(Func<T1, T2, T3, Task> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, VoidResult>(fn, 3, arg1, arg2, arg3, static (f, a, b, c) => Void(((Func<T1, T2, T3, Task>)f)(a, b, c))), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3, arg4)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2, T3, T4>(Func<T1, T2, T3, T4, Task> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, VoidResult, VoidResult, VoidResult>(fn, 4, arg1, arg2, arg3, arg4, default, default, static (f, a, b, c, d, _, _) => Void(((Func<T1, T2, T3, T4, Task>)f)(a, b, c, d))), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3, arg4, arg5)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2, T3, T4, T5>(Func<T1, T2, T3, T4, T5, Task> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, VoidResult, VoidResult>(fn, 5, arg1, arg2, arg3, arg4, arg5, default, static (f, a, b, c, d, e, _) => Void(((Func<T1, T2, T3, T4, T5, Task>)f)(a, b, c, d, e))), cancellationToken);
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3, arg4, arg5, arg6)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="T6">The sixth argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="arg6">The sixth argument.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started when the token is cancelled (also if it already is): the future ends cancelled and the work never runs. Work already running is not stopped.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2, T3, T4, T5, T6>(Func<T1, T2, T3, T4, T5, T6, Task> fn, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, T4, T5, T6, VoidResult>(fn, 6, arg1, arg2, arg3, arg4, arg5, arg6, static (f, a, b, c, d, e, g) => Void(((Func<T1, T2, T3, T4, T5, T6, Task>)f)(a, b, c, d, e, g))), cancellationToken);
    }

    private static async Task<VoidResult> Void(Task task)
    {
        await task.ConfigureAwait(false);
        return default;
    }
}
