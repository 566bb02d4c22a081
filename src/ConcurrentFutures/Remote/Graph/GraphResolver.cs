using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// Picks the formatter of each type that crosses a process boundary: the application's own classes and structs are
/// copied field by field with shared references, cycles and runtime types kept (<see cref="GraphFormatter{T}"/>,
/// <see cref="StructFormatter{T}"/>); <c>object</c>, interfaces and abstract classes carry their runtime type;
/// framework types use MessagePack's own formatters (which ask this resolver for their elements, so a
/// <c>List&lt;Shape&gt;</c> keeps its circles). Which types may be sent at all is <see cref="Sendability"/>'s call,
/// made before anything is written.
/// </summary>
internal sealed class GraphResolver : IFormatterResolver
{
    public static readonly GraphResolver Instance = new();

    private static readonly ConcurrentDictionary<Type, bool> s_hasLayout = new();

    private GraphResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    /// <summary>
    /// A framework type's formatter, as MessagePack's standard resolver picks it: the resolvers it asks first, in its
    /// order, whose answer it would take — built-in types, [MessagePackFormatter], immutable collections, then (but for
    /// <c>ExpandoObject</c>, which a resolver of its own comes before) generic collections, arrays, tuples and enums —
    /// and only for anything else the standard resolver itself. Building that one costs a new process ~40 ms the first
    /// time (an emitted assembly for its dynamic resolvers, LINQ expressions, regular expressions), which a worker's
    /// first call with a record or a list no longer pays. The commonest types are named first (<see cref="CommonFormatter"/>,
    /// <see cref="CommonCollectionFormatter"/>): the same formatters, without what asking the resolvers loads.
    /// </summary>
    private static IMessagePackFormatter<T>? FrameworkFormatter<T>() =>
        CommonFormatter<T>() ?? CommonCollectionFormatter<T>() ?? ResolvedFrameworkFormatter<T>();

    /// <remarks>
    /// A method of its own, compiled only when a type needs it: compiling it loads the assemblies of the types it names
    /// (<c>ExpandoObject</c>'s System.Linq.Expressions, MessagePack's immutable collections), ~2 MB of a worker.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IMessagePackFormatter<T>? ResolvedFrameworkFormatter<T>() =>
        BuiltinResolver.Instance.GetFormatter<T>()
        ?? AttributeFormatterResolver.Instance.GetFormatter<T>()
        ?? MessagePack.ImmutableCollection.ImmutableCollectionResolver.Instance.GetFormatter<T>()
        ?? (typeof(T) == typeof(System.Dynamic.ExpandoObject) ? null : DynamicGenericResolver.Instance.GetFormatter<T>())
        ?? StandardResolver.Instance.GetFormatter<T>();

    /// <summary>
    /// The formatter of the framework's commonest collections — <c>List</c>, <c>Dictionary</c>, <c>HashSet</c>,
    /// <c>KeyValuePair</c>, and arrays of elements the built-in resolver has no array formatter of — of the very type
    /// MessagePack's generic resolver creates for them. Named here because that resolver first asks whether the type's
    /// full name starts with "System.Tuple" with the current culture's rules, which loads ICU into a worker whose work
    /// needs no culture data (~3 ms and ~3.7 MB), after building its map of 28 collection types (System.Linq,
    /// System.ObjectModel). Null for any other type.
    /// </summary>
    internal static IMessagePackFormatter<T>? CommonCollectionFormatter<T>()
    {
        Type type = typeof(T);
        Type? formatter = null;
        if (type.IsSZArray)
        {
            Type element = type.GetElementType()!;
            if (!element.IsPrimitive && element != typeof(string) && element != typeof(object) && element != typeof(DateTime))
            {
                formatter = typeof(ArrayFormatter<>).MakeGenericType(element);
            }
        }
        else if (type.IsConstructedGenericType)
        {
            Type definition = type.GetGenericTypeDefinition();
            Type? open =
                definition == typeof(List<>) ? typeof(ListFormatter<>)
                : definition == typeof(Dictionary<,>) ? typeof(DictionaryFormatter<,>)
                : definition == typeof(HashSet<>) ? typeof(HashSetFormatter<>)
                : definition == typeof(KeyValuePair<,>) ? typeof(KeyValuePairFormatter<,>)
                : null;
            formatter = open?.MakeGenericType(type.GenericTypeArguments);
        }

        return formatter is null ? null : (IMessagePackFormatter<T>)Activator.CreateInstance(formatter)!;
    }

    /// <summary>
    /// The built-in formatter of the types records hold most (strings, byte arrays, numbers, flags, times): the very
    /// instance the built-in resolver gives, named here because that resolver builds its table of ~70 formatters the
    /// first time it is asked about any type — ~150 methods a new worker compiled for its first call with a record of
    /// a string and a byte array. Null for any other type, which the built-in resolver answers.
    /// </summary>
    internal static IMessagePackFormatter<T>? CommonFormatter<T>()
    {
        object? formatter =
            typeof(T) == typeof(string) ? NullableStringFormatter.Instance
            : typeof(T) == typeof(byte[]) ? ByteArrayFormatter.Instance
            : typeof(T) == typeof(int) ? Int32Formatter.Instance
            : typeof(T) == typeof(long) ? Int64Formatter.Instance
            : typeof(T) == typeof(double) ? DoubleFormatter.Instance
            : typeof(T) == typeof(bool) ? BooleanFormatter.Instance
            : typeof(T) == typeof(float) ? SingleFormatter.Instance
            : typeof(T) == typeof(short) ? Int16Formatter.Instance
            : typeof(T) == typeof(byte) ? ByteFormatter.Instance
            : typeof(T) == typeof(char) ? CharFormatter.Instance
            : typeof(T) == typeof(uint) ? UInt32Formatter.Instance
            : typeof(T) == typeof(ulong) ? UInt64Formatter.Instance
            : typeof(T) == typeof(DateTime) ? DateTimeFormatter.Instance
            : typeof(T) == typeof(Guid) ? GuidFormatter.Instance
            : typeof(T) == typeof(decimal) ? DecimalFormatter.Instance
            : typeof(T) == typeof(TimeSpan) ? TimeSpanFormatter.Instance
            : null;
        return (IMessagePackFormatter<T>?)formatter;
    }

    /// <summary>True for the types copied field by field: the application's classes and structs, and <c>object</c> itself.</summary>
    public static bool HasLayout(Type type) => s_hasLayout.GetOrAdd(type, static t =>
        t == typeof(object) || (!t.IsEnum && !t.IsPrimitive && !t.IsArray && !t.IsInterface && !t.IsPointer && !Sendability.IsFrameworkType(t) && !HasOwnContract(t)));

    /// <summary>Types that chose their own MessagePack contract ([MessagePackObject], [MessagePackFormatter]) keep it.</summary>
    public static bool HasOwnContract(Type type) =>
        type.IsDefined(typeof(MessagePackObjectAttribute), inherit: false) || type.IsDefined(typeof(MessagePackFormatterAttribute), inherit: false);

    private static object? Create<T>()
    {
        Type type = typeof(T);
        if (type == typeof(Int128) || type == typeof(UInt128))
        {
            return Int128Formatter.Instance;
        }

        bool wider = type == typeof(object) || ((type.IsInterface || type.IsAbstract) && !HasOwnContract(type));
        if (wider || (HasLayout(type) && !type.IsValueType))
        {
            return Activator.CreateInstance(typeof(GraphFormatter<>).MakeGenericType(type));
        }

        if (HasLayout(type))
        {
            return Activator.CreateInstance(typeof(StructFormatter<>).MakeGenericType(type));
        }

        return FrameworkFormatter<T>();
    }

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create<T>();
    }
}
