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

    /// <summary>A lambda sent to another process captures a ref local or a ref struct, which lives on this thread's stack.</summary>
    public const string RefCapture = "CF1004";
}
