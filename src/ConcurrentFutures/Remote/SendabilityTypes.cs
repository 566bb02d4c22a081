namespace ConcurrentFutures.Remote;

/// <summary>
/// <see cref="SendabilityTable"/>'s lists as the run time uses them: the same types, in the same order (a type's
/// position is its number on the wire), written as <c>typeof</c> so that no name is parsed. Resolving the names took a
/// new process ~17 ms of the runtime's type-name parser — on the way to a worker's first record and an app's first
/// call with one. The table stays the one source for the analyzer; a test holds these lists to its names.
/// </summary>
internal static class SendabilityTypes
{
    /// <summary>As <see cref="SendabilityTable.KnownTypes"/>.</summary>
    public static readonly Type[] KnownTypes =
    [
        typeof(object), typeof(bool), typeof(char), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal),
        typeof(string), typeof(System.DateTime), typeof(System.DateTimeOffset), typeof(System.TimeSpan),
        typeof(System.Guid), typeof(System.Numerics.BigInteger), typeof(System.Uri), typeof(System.Version),
        typeof(System.Text.StringBuilder), typeof(System.DateOnly), typeof(System.TimeOnly), typeof(System.Half),
        typeof(System.Int128), typeof(System.UInt128), typeof(System.Numerics.Complex),
    ];

    /// <summary>As <see cref="SendabilityTable.KnownGenericTypes"/>.</summary>
    public static readonly Type[] KnownGenericTypes =
    [
        typeof(System.Collections.Generic.List<>), typeof(System.Collections.Generic.HashSet<>),
        typeof(System.Collections.Generic.Queue<>), typeof(System.Collections.Generic.Stack<>),
        typeof(System.Collections.Generic.LinkedList<>), typeof(System.Collections.Generic.Dictionary<,>),
        typeof(System.Collections.Generic.SortedDictionary<,>), typeof(System.Collections.Generic.SortedList<,>),
        typeof(System.Collections.Generic.SortedSet<>), typeof(System.Collections.Generic.KeyValuePair<,>),
        typeof(System.Nullable<>), typeof(System.Tuple<>), typeof(System.Tuple<,>), typeof(System.Tuple<,,>),
        typeof(System.Tuple<,,,>), typeof(System.Tuple<,,,,>), typeof(System.ValueTuple<>),
        typeof(System.ValueTuple<,>), typeof(System.ValueTuple<,,>), typeof(System.ValueTuple<,,,>),
        typeof(System.ValueTuple<,,,,>), typeof(System.ValueTuple<,,,,,>), typeof(System.ValueTuple<,,,,,,>),
        typeof(System.ReadOnlyMemory<>), typeof(System.Memory<>), typeof(System.ArraySegment<>),
        typeof(System.Collections.Immutable.ImmutableArray<>), typeof(System.Collections.Immutable.ImmutableList<>),
        typeof(System.Collections.Immutable.ImmutableHashSet<>),
        typeof(System.Collections.Immutable.ImmutableDictionary<,>),
        typeof(System.Collections.Immutable.ImmutableSortedSet<>),
        typeof(System.Collections.Immutable.ImmutableSortedDictionary<,>),
        typeof(System.Collections.Immutable.ImmutableQueue<>), typeof(System.Collections.Immutable.ImmutableStack<>),
        typeof(System.Collections.ObjectModel.ReadOnlyCollection<>),
        typeof(System.Collections.ObjectModel.ReadOnlyDictionary<,>),
        typeof(System.Collections.ObjectModel.Collection<>),
        typeof(System.Collections.ObjectModel.ObservableCollection<>),
        typeof(System.Collections.Concurrent.ConcurrentDictionary<,>),
        typeof(System.Collections.Concurrent.ConcurrentQueue<>),
        typeof(System.Collections.Concurrent.ConcurrentStack<>), typeof(System.Collections.Concurrent.ConcurrentBag<>),
    ];

    /// <summary>As <see cref="SendabilityTable.CollectionInterfaces"/>.</summary>
    public static readonly Type[] CollectionInterfaces =
    [
        typeof(System.Collections.Generic.IList<>), typeof(System.Collections.Generic.ICollection<>),
        typeof(System.Collections.Generic.IEnumerable<>), typeof(System.Collections.Generic.IReadOnlyList<>),
        typeof(System.Collections.Generic.IReadOnlyCollection<>), typeof(System.Collections.Generic.ISet<>),
        typeof(System.Collections.Generic.IReadOnlySet<>), typeof(System.Collections.Generic.IDictionary<,>),
        typeof(System.Collections.Generic.IReadOnlyDictionary<,>),
    ];

    /// <summary>As <see cref="SendabilityTable.ProcessBoundTypes"/>.</summary>
    public static readonly Type[] ProcessBoundTypes =
    [
        typeof(System.Delegate), typeof(System.IO.Stream), typeof(System.Net.Sockets.Socket),
        typeof(System.Runtime.InteropServices.SafeHandle), typeof(System.Threading.WaitHandle),
        typeof(System.Threading.Thread), typeof(System.Threading.Tasks.Task), typeof(System.Threading.Tasks.ValueTask),
        typeof(System.Threading.CancellationTokenSource), typeof(System.Threading.CancellationToken),
        typeof(System.Diagnostics.Process), typeof(System.Reflection.MemberInfo), typeof(System.Reflection.Assembly),
        typeof(nint), typeof(nuint), typeof(ConcurrentFutures.Executor), typeof(ConcurrentFutures.Future),
        typeof(System.IDisposable), typeof(System.IAsyncDisposable),
    ];
}
