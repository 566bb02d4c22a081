namespace ConcurrentFutures;

/// <summary>A single call's arguments, boxed, for executors that serialize them.</summary>
internal interface ICallArguments
{
    /// <summary>The arguments in declaration order.</summary>
    object?[] GetArguments();
}
