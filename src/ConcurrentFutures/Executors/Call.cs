using MessagePack;

namespace ConcurrentFutures;

/// <summary>
/// A call of a delegate with up to three typed arguments (unused ones are <see cref="VoidResult"/>). The invoker is a
/// static lambda per arity, so a submission allocates this object and the future, and boxes nothing.
/// </summary>
internal sealed class Call<T1, T2, T3, TResult> : WorkItem<TResult>, ICallArguments
{
    private readonly Delegate _function;
    private readonly int _arity;
    private readonly T1 _arg1;
    private readonly T2 _arg2;
    private readonly T3 _arg3;
    private readonly Func<Delegate, T1, T2, T3, TResult>? _invoke;
    private readonly Func<Delegate, T1, T2, T3, Task<TResult>>? _invokeAsync;

    public Call(Delegate function, int arity, T1 arg1, T2 arg2, T3 arg3, Func<Delegate, T1, T2, T3, TResult> invoke)
        : base(new Future<TResult>())
    {
        (_function, _arity, _arg1, _arg2, _arg3, _invoke) = (function, arity, arg1, arg2, arg3, invoke);
    }

    public Call(Delegate function, int arity, T1 arg1, T2 arg2, T3 arg3, Func<Delegate, T1, T2, T3, Task<TResult>> invokeAsync)
        : base(new Future<TResult>())
    {
        (_function, _arity, _arg1, _arg2, _arg3, _invokeAsync) = (function, arity, arg1, arg2, arg3, invokeAsync);
    }

    /// <inheritdoc/>
    public override Delegate Function => _function;

    /// <inheritdoc/>
    public override bool IsAsync => _invokeAsync is not null;

    /// <inheritdoc/>
    public object?[] GetArguments() => _arity switch
    {
        0 => [],
        1 => [_arg1],
        2 => [_arg1, _arg2],
        _ => [_arg1, _arg2, _arg3],
    };

    /// <inheritdoc/>
    public bool CanWriteDirectly(Type[] parameterTypes) =>
        parameterTypes.Length == _arity
        && (_arity < 1 || DirectArgument<T1>.Matches(parameterTypes[0]))
        && (_arity < 2 || DirectArgument<T2>.Matches(parameterTypes[1]))
        && (_arity < 3 || DirectArgument<T3>.Matches(parameterTypes[2]));

    /// <inheritdoc/>
    public void WriteDirectly(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(_arity);
        if (_arity >= 1)
        {
            DirectArgument<T1>.Write(ref writer, _arg1);
        }

        if (_arity >= 2)
        {
            DirectArgument<T2>.Write(ref writer, _arg2);
        }

        if (_arity >= 3)
        {
            DirectArgument<T3>.Write(ref writer, _arg3);
        }
    }

    /// <inheritdoc/>
    protected override TResult Invoke() => _invoke!(_function, _arg1, _arg2, _arg3);

    /// <inheritdoc/>
    protected override Task<TResult> InvokeAsync() => _invokeAsync!(_function, _arg1, _arg2, _arg3);
}
