namespace ConcurrentFutures;

/// <summary>
/// A call of a delegate with four to six typed arguments (unused ones are <see cref="VoidResult"/>); as
/// <see cref="Call{T1, T2, T3, TResult}"/>, kept apart so the common calls carry three argument fields, not six.
/// </summary>
internal sealed class Call<T1, T2, T3, T4, T5, T6, TResult> : WorkItem<TResult>, ICallArguments
{
    private readonly Delegate _function;
    private readonly int _arity;
    private readonly (T1, T2, T3, T4, T5, T6) _args;
    private readonly Func<Delegate, T1, T2, T3, T4, T5, T6, TResult>? _invoke;
    private readonly Func<Delegate, T1, T2, T3, T4, T5, T6, Task<TResult>>? _invokeAsync;

    public Call(Delegate function, int arity, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, Func<Delegate, T1, T2, T3, T4, T5, T6, TResult> invoke)
        : base(new Future<TResult>())
    {
        (_function, _arity, _args, _invoke) = (function, arity, (arg1, arg2, arg3, arg4, arg5, arg6), invoke);
    }

    public Call(Delegate function, int arity, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, Func<Delegate, T1, T2, T3, T4, T5, T6, Task<TResult>> invokeAsync)
        : base(new Future<TResult>())
    {
        (_function, _arity, _args, _invokeAsync) = (function, arity, (arg1, arg2, arg3, arg4, arg5, arg6), invokeAsync);
    }

    /// <inheritdoc/>
    public override Delegate Function => _function;

    /// <inheritdoc/>
    public override bool IsAsync => _invokeAsync is not null;

    /// <inheritdoc/>
    public object?[] GetArguments()
    {
        object?[] all = [_args.Item1, _args.Item2, _args.Item3, _args.Item4, _args.Item5, _args.Item6];
        return all[.._arity];
    }

    /// <inheritdoc/>
    protected override TResult Invoke() => _invoke!(_function, _args.Item1, _args.Item2, _args.Item3, _args.Item4, _args.Item5, _args.Item6);

    /// <inheritdoc/>
    protected override Task<TResult> InvokeAsync() => _invokeAsync!(_function, _args.Item1, _args.Item2, _args.Item3, _args.Item4, _args.Item5, _args.Item6);
}
