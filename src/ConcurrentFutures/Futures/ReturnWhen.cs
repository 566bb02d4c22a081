namespace ConcurrentFutures;

/// <summary>When <see cref="Futures.Wait{TFuture}"/> returns. Python: <c>FIRST_COMPLETED</c>, <c>FIRST_EXCEPTION</c>, <c>ALL_COMPLETED</c>.</summary>
public enum ReturnWhen
{
    /// <summary>Return as soon as any future finishes or is cancelled.</summary>
    FirstCompleted,

    /// <summary>Return when any future finishes with an exception; if none does, the same as <see cref="AllCompleted"/>.</summary>
    FirstException,

    /// <summary>Return when every future is done.</summary>
    AllCompleted,
}
