namespace ConcurrentFutures;

/// <summary>The bookkeeping of one <see cref="Futures.Wait{TFuture}"/> call: what is done, and whether to return.</summary>
internal sealed class WaitState<TFuture>
    where TFuture : Future
{
    private readonly HashSet<TFuture> _done = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<TFuture> _notDone = new(ReferenceEqualityComparer.Instance);
    private readonly ReturnWhen _returnWhen;
    private bool _sawException;

    public WaitState(List<TFuture> futures, ReturnWhen returnWhen)
    {
        if (!Enum.IsDefined(returnWhen))
        {
            throw new ArgumentOutOfRangeException(nameof(returnWhen), returnWhen, "Use ReturnWhen.FirstCompleted, FirstException or AllCompleted.");
        }

        _returnWhen = returnWhen;
        foreach (TFuture future in futures)
        {
            if (future.IsDone)
            {
                MarkDone(future);
            }
            else
            {
                _notDone.Add(future);
            }
        }
    }

    /// <summary>Registers the queue on the unfinished futures; those that finished meanwhile move to done at once.</summary>
    public void Register(CompletionQueue<TFuture> queue)
    {
        foreach (TFuture future in _notDone.ToArray())
        {
            if (!queue.TryRegister(future))
            {
                MarkDone(future);
            }
        }
    }

    public void MarkDone(TFuture future)
    {
        _notDone.Remove(future);
        _done.Add(future);
        _sawException |= future.HasException;
    }

    public bool IsSatisfied() => _notDone.Count == 0 || _returnWhen switch
    {
        ReturnWhen.FirstCompleted => _done.Count > 0,
        ReturnWhen.FirstException => _sawException,
        _ => false,
    };

    public WaitResult<TFuture> ToResult() => new(_done, _notDone);
}
