namespace ConcurrentFutures;

/// <summary>
/// How far a group of futures (a Map, or the futures given to AsCompleted) has come; reported through
/// <see cref="IProgress{T}"/> each time one of them finishes.
/// </summary>
/// <param name="Done">Items finished in any way (result, exception or cancelled).</param>
/// <param name="Failed">Of those, the items that ended with an exception or were cancelled.</param>
/// <param name="Total">Items in all, or null while a Map's source has not been read to its end.</param>
/// <param name="Elapsed">Time since the call that started the tracking.</param>
public readonly record struct FutureProgress(int Done, int Failed, int? Total, TimeSpan Elapsed)
{
    /// <summary>Done / Total between 0 and 1, or null while the total is unknown.</summary>
    public double? Fraction => Total is > 0 and var total ? (double)Done / total : Total == 0 ? 1 : null;
}
