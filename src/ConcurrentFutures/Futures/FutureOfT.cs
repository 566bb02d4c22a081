using System.Runtime.CompilerServices;

namespace ConcurrentFutures;

/// <summary>The eventual result of a unit of work: a value, the work's exception, or cancellation.</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <remarks>Python: <c>concurrent.futures.Future</c> with <c>result()</c>.</remarks>
public class Future<T> : Future
{
    /// <summary>The value set by <see cref="SetResult(T)"/>; written under the base's lock before the state becomes Finished.</summary>
    private T _result = default!;

    /// <summary>Creates a pending future: executors do; others use <see cref="FutureSource{T}"/>.</summary>
    internal Future()
    {
    }

    /// <summary>
    /// Blocks until the future is done and returns its value, or rethrows the work's own exception with its original
    /// stack trace (never an AggregateException). Python: <c>result(timeout)</c>.
    /// </summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="TimeoutException">The future is not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    public T Result(TimeSpan? timeout = null)
    {
        WaitDone(timeout);
        ThrowIfFailedOrCancelled();
        return _result;
    }

    /// <summary>
    /// Async twin of <see cref="Result"/>: the work's result, or its own exception, without blocking a thread.
    /// <c>await future</c> is the same without a timeout or token.
    /// </summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>; the work is not cancelled.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="TimeoutException">The future is not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled, or the token was.</exception>
    public new Task<T> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        AsTask().WaitAsync(Deadline.From(timeout).Remaining, cancellationToken);

    /// <summary>Completes the future with a value. For executors and tests. Python: <c>set_result()</c>.</summary>
    /// <param name="result">The value.</param>
    /// <exception cref="InvalidOperationException">The future is already cancelled or finished.</exception>
    internal void SetResult(T result) => Complete(exception: null, static (future, value) => ((Future<T>)future)._result = value, result);

    /// <summary>A task that completes with this future's value, exception or cancellation.</summary>
    /// <returns>The same task on every call.</returns>
    public new Task<T> AsTask() => (Task<T>)base.AsTask();

    /// <summary>Lets callers write <c>var value = await future</c>.</summary>
    /// <returns>An awaiter over <see cref="AsTask"/>.</returns>
    public new TaskAwaiter<T> GetAwaiter() => AsTask().GetAwaiter();

    /// <summary>
    /// Calls <paramref name="callback"/> with this future when it is done; see <see cref="Future.AddDoneCallback(Action{Future})"/>.
    /// </summary>
    /// <param name="callback">The callback, given the typed future.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public void AddDoneCallback(Action<Future<T>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        base.AddDoneCallback(future => callback((Future<T>)future));
    }

    /// <summary>Completes the future with a value unless it is already done; for executors.</summary>
    /// <returns>False if the future was already done.</returns>
    internal bool TrySetResult(T result) =>
        TryComplete(exception: null, static (future, value) => ((Future<T>)future)._result = value, result, throwIfDone: false);

    private protected override object CreateTaskSource() => new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);

    private protected override Task GetTask(object taskSource) => ((TaskCompletionSource<T>)taskSource).Task;

    private protected override void CompleteTaskSource(object taskSource)
    {
        var source = (TaskCompletionSource<T>)taskSource;
        if (IsCancelled)
        {
            source.TrySetCanceled();
        }
        else if (GetExceptionIfDone() is { } exception)
        {
            source.TrySetException(exception);
        }
        else
        {
            source.TrySetResult(_result);
        }
    }
}
