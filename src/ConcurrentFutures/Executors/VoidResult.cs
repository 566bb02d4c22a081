namespace ConcurrentFutures;

/// <summary>The "result" of work that returns nothing; lets void work share the typed work-item machinery.</summary>
internal readonly record struct VoidResult;
