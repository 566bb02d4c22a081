namespace ConcurrentFutures;

/// <summary>The per-item arguments of a chunk, boxed, for executors that serialize them.</summary>
internal interface IChunkArguments
{
    /// <summary>How many items the chunk holds.</summary>
    int Count { get; }

    /// <summary>The position in the Map's source of the chunk's first item (for messages).</summary>
    long FirstIndex { get; }

    /// <summary>The arguments of item <paramref name="index"/>, in declaration order.</summary>
    object?[] GetArguments(int index);
}
