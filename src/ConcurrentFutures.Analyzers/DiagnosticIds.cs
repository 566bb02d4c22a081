namespace ConcurrentFutures.Analyzers;

/// <summary>The ids of the diagnostics this package reports (documented in the README).</summary>
public static class DiagnosticIds
{
    /// <summary>A lambda sent to another process captures a variable whose type cannot be copied there.</summary>
    public const string UnsendableCapture = "CF1001";

    /// <summary>A lambda sent to another process uses <c>this</c> of a type that cannot be copied there.</summary>
    public const string UnsendableThis = "CF1002";

    /// <summary>An instance method group sent to another process has a target that cannot be copied there.</summary>
    public const string UnsendableMethodTarget = "CF1003";

    /// <summary>An argument, a Map source's items, a queue item or a pipe message has a type that cannot be copied to another process.</summary>
    public const string UnsendableValue = "CF1005";

    /// <summary>Work sent to another process returns a type that cannot be copied back.</summary>
    public const string UnsendableResult = "CF1006";

    /// <summary>Async work (returning a Task or ValueTask) given to Submit or Map of a process pool or cluster: use SubmitAsync.</summary>
    public const string AsyncWorkNeedsSubmitAsync = "CF1007";
}
