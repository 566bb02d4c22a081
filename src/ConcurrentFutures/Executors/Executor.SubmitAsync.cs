namespace ConcurrentFutures;

/// <summary>Submission of async work: the future completes with the result of the returned task.</summary>
public abstract partial class Executor
{
    /// <summary>Schedules async work <c>await fn()</c>; the future completes with the task's result or exception.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<TResult>(Func<Task<TResult>> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<VoidResult, VoidResult, VoidResult, TResult>(fn, 0, default, default, default, static (f, _, _, _) => ((Func<Task<TResult>>)f)()));
    }

    /// <summary>Schedules async work <c>await fn(arg1)</c>.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, TResult>(Func<T1, Task<TResult>> fn, T1 arg1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, VoidResult, VoidResult, TResult>(fn, 1, arg1, default, default, static (f, a, _, _) => ((Func<T1, Task<TResult>>)f)(a)));
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, TResult>(Func<T1, T2, Task<TResult>> fn, T1 arg1, T2 arg2)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, VoidResult, TResult>(fn, 2, arg1, arg2, default, static (f, a, b, _) => ((Func<T1, T2, Task<TResult>>)f)(a, b)));
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3)</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <returns>A future for the task's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<TResult> SubmitAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, TResult>(fn, 3, arg1, arg2, arg3, static (f, a, b, c) => ((Func<T1, T2, T3, Task<TResult>>)f)(a, b, c)));
    }

    /// <summary>Schedules async work <c>await fn()</c> that returns no value.</summary>
    /// <param name="fn">The async work.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync(Func<Task> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<VoidResult, VoidResult, VoidResult, VoidResult>(fn, 0, default, default, default, static (f, _, _, _) => Void(((Func<Task>)f)())));
    }

    /// <summary>Schedules async work <c>await fn(arg1)</c> that returns no value.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1>(Func<T1, Task> fn, T1 arg1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, VoidResult, VoidResult, VoidResult>(fn, 1, arg1, default, default, static (f, a, _, _) => Void(((Func<T1, Task>)f)(a))));
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2>(Func<T1, T2, Task> fn, T1 arg1, T2 arg2)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, VoidResult, VoidResult>(fn, 2, arg1, arg2, default, static (f, a, b, _) => Void(((Func<T1, T2, Task>)f)(a, b))));
    }

    /// <summary>Schedules async work <c>await fn(arg1, arg2, arg3)</c> that returns no value.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <param name="fn">The async work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <returns>A future that completes when the task does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future SubmitAsync<T1, T2, T3>(Func<T1, T2, T3, Task> fn, T1 arg1, T2 arg2, T3 arg3)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new Call<T1, T2, T3, VoidResult>(fn, 3, arg1, arg2, arg3, static (f, a, b, c) => Void(((Func<T1, T2, T3, Task>)f)(a, b, c))));
    }

    private static async Task<VoidResult> Void(Task task)
    {
        await task.ConfigureAwait(false);
        return default;
    }
}
