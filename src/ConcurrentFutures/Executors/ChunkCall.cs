namespace ConcurrentFutures;

/// <summary>
/// One dispatch of <c>Map(chunkSize: n)</c>: the same delegate applied to several items in order, as one unit of
/// work. Executors in this process run it as a loop; process executors send the whole chunk in one message.
/// </summary>
internal sealed class ChunkCall<TItem, TResult> : WorkItem<TResult[]>, IChunkArguments
{
    private readonly Delegate _function;
    private readonly TItem[] _items;
    private readonly Func<Delegate, TItem, TResult> _invoke;
    private readonly Func<TItem, object?[]> _box;

    public ChunkCall(Delegate function, TItem[] items, Func<Delegate, TItem, TResult> invoke, Func<TItem, object?[]> box, long firstIndex = 0)
        : base(new Future<TResult[]>())
    {
        (_function, _items, _invoke, _box, FirstIndex) = (function, items, invoke, box, firstIndex);
    }

    /// <inheritdoc/>
    public override Delegate Function => _function;

    /// <inheritdoc/>
    public override bool IsAsync => false;

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public long FirstIndex { get; }

    /// <inheritdoc/>
    public object?[] GetArguments(int index) => _box(_items[index]);

    /// <inheritdoc/>
    protected override TResult[] Invoke()
    {
        var results = new TResult[_items.Length];
        for (int i = 0; i < _items.Length; i++)
        {
            results[i] = _invoke(_function, _items[i]);
        }

        return results;
    }

    /// <inheritdoc/>
    protected override Task<TResult[]> InvokeAsync() => Task.FromResult(Invoke());
}
