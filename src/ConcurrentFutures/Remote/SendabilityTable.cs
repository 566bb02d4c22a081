namespace ConcurrentFutures.Remote;

/// <summary>
/// The one table of what can be sent to another process, read by the run-time check (<c>Sendability</c>, with
/// <c>Graph.TypeTags</c>) and, compiled into the analyzer assembly too, by the compile-time check
/// (<c>ConcurrentFutures.Analyzers.SendabilityRules</c>). Names are metadata names with the assembly the run time
/// resolves them from; the analyzer ignores the assembly part. The known lists are append-only: a type's position is
/// its number on the wire.
/// </summary>
/// <remarks>
/// The rule both checks apply, in order: pointers and ref structs are refused; enums, <c>object</c> and types with
/// their own MessagePack contract are sent; <see cref="KnownTypes"/> are sent; <see cref="ProcessBoundTypes"/> (and
/// what derives from them) are refused; arrays up to rank 4 and <see cref="KnownGenericTypes"/> /
/// <see cref="CollectionInterfaces"/> are sent when their element types are; any other framework type is refused;
/// the application's interfaces and abstract classes are sent (each value's runtime type is checked as it is
/// written); the application's classes and structs are sent when they do not derive from a framework class and every
/// field's type is sendable.
/// </remarks>
internal static class SendabilityTable
{
    /// <summary>Framework types copied faithfully (MessagePack's own formatters; Int128/UInt128 the library's).</summary>
    public static readonly string[] KnownTypes =
    [
        "System.Object, System.Runtime", "System.Boolean, System.Runtime", "System.Char, System.Runtime", "System.SByte, System.Runtime",
        "System.Byte, System.Runtime", "System.Int16, System.Runtime", "System.UInt16, System.Runtime", "System.Int32, System.Runtime",
        "System.UInt32, System.Runtime", "System.Int64, System.Runtime", "System.UInt64, System.Runtime", "System.Single, System.Runtime",
        "System.Double, System.Runtime", "System.Decimal, System.Runtime", "System.String, System.Runtime", "System.DateTime, System.Runtime",
        "System.DateTimeOffset, System.Runtime", "System.TimeSpan, System.Runtime", "System.Guid, System.Runtime",
        "System.Numerics.BigInteger, System.Runtime.Numerics", "System.Uri, System.Runtime", "System.Version, System.Runtime",
        "System.Text.StringBuilder, System.Runtime", "System.DateOnly, System.Runtime", "System.TimeOnly, System.Runtime",
        "System.Half, System.Runtime", "System.Int128, System.Runtime", "System.UInt128, System.Runtime",
        "System.Numerics.Complex, System.Runtime.Numerics",
    ];

    /// <summary>Framework generic types copied faithfully when their type arguments are.</summary>
    public static readonly string[] KnownGenericTypes =
    [
        "System.Collections.Generic.List`1, System.Collections", "System.Collections.Generic.HashSet`1, System.Collections",
        "System.Collections.Generic.Queue`1, System.Collections", "System.Collections.Generic.Stack`1, System.Collections",
        "System.Collections.Generic.LinkedList`1, System.Collections", "System.Collections.Generic.Dictionary`2, System.Collections",
        "System.Collections.Generic.SortedDictionary`2, System.Collections", "System.Collections.Generic.SortedList`2, System.Collections",
        "System.Collections.Generic.SortedSet`1, System.Collections", "System.Collections.Generic.KeyValuePair`2, System.Runtime",
        "System.Nullable`1, System.Runtime",
        "System.Tuple`1, System.Runtime", "System.Tuple`2, System.Runtime", "System.Tuple`3, System.Runtime", "System.Tuple`4, System.Runtime",
        "System.Tuple`5, System.Runtime", "System.ValueTuple`1, System.Runtime", "System.ValueTuple`2, System.Runtime",
        "System.ValueTuple`3, System.Runtime", "System.ValueTuple`4, System.Runtime", "System.ValueTuple`5, System.Runtime",
        "System.ValueTuple`6, System.Runtime", "System.ValueTuple`7, System.Runtime",
        "System.ReadOnlyMemory`1, System.Runtime", "System.Memory`1, System.Runtime", "System.ArraySegment`1, System.Runtime",
        "System.Collections.Immutable.ImmutableArray`1, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableList`1, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableHashSet`1, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableDictionary`2, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableSortedSet`1, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableSortedDictionary`2, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableQueue`1, System.Collections.Immutable",
        "System.Collections.Immutable.ImmutableStack`1, System.Collections.Immutable",
        "System.Collections.ObjectModel.ReadOnlyCollection`1, System.Runtime",
        "System.Collections.ObjectModel.ReadOnlyDictionary`2, System.ObjectModel",
        "System.Collections.ObjectModel.Collection`1, System.Runtime",
        "System.Collections.ObjectModel.ObservableCollection`1, System.ObjectModel",
        "System.Collections.Concurrent.ConcurrentDictionary`2, System.Collections.Concurrent",
        "System.Collections.Concurrent.ConcurrentQueue`1, System.Collections.Concurrent",
        "System.Collections.Concurrent.ConcurrentStack`1, System.Collections.Concurrent",
        "System.Collections.Concurrent.ConcurrentBag`1, System.Collections.Concurrent",
    ];

    /// <summary>Framework interfaces a value may be declared as; its runtime type then travels with it.</summary>
    public static readonly string[] CollectionInterfaces =
    [
        "System.Collections.Generic.IList`1, System.Runtime", "System.Collections.Generic.ICollection`1, System.Runtime",
        "System.Collections.Generic.IEnumerable`1, System.Runtime", "System.Collections.Generic.IReadOnlyList`1, System.Runtime",
        "System.Collections.Generic.IReadOnlyCollection`1, System.Runtime", "System.Collections.Generic.ISet`1, System.Runtime",
        "System.Collections.Generic.IReadOnlySet`1, System.Runtime", "System.Collections.Generic.IDictionary`2, System.Runtime",
        "System.Collections.Generic.IReadOnlyDictionary`2, System.Runtime",
    ];

    /// <summary>Types that wrap something of this process (an OS resource, a thread, code, a pending operation).</summary>
    public static readonly string[] ProcessBoundTypes =
    [
        "System.Delegate, System.Runtime", "System.IO.Stream, System.Runtime", "System.Net.Sockets.Socket, System.Net.Sockets",
        "System.Runtime.InteropServices.SafeHandle, System.Runtime", "System.Threading.WaitHandle, System.Runtime",
        "System.Threading.Thread, System.Threading.Thread", "System.Threading.Tasks.Task, System.Runtime",
        "System.Threading.Tasks.ValueTask, System.Runtime", "System.Threading.CancellationTokenSource, System.Runtime",
        "System.Threading.CancellationToken, System.Runtime", "System.Diagnostics.Process, System.Diagnostics.Process",
        "System.Reflection.MemberInfo, System.Runtime", "System.Reflection.Assembly, System.Runtime", "System.IntPtr, System.Runtime",
        "System.UIntPtr, System.Runtime", "ConcurrentFutures.Executor, ConcurrentFutures", "ConcurrentFutures.Future, ConcurrentFutures",
        "System.IDisposable, System.Runtime", "System.IAsyncDisposable, System.Runtime",
    ];

    /// <summary>The metadata name alone: <c>System.Collections.Generic.List`1</c>.</summary>
    public static string MetadataName(string entry) => entry.Substring(0, entry.IndexOf(','));
}
