using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using ConcurrentFutures.Remote.Graph;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Decides whether values of a type can be copied to another process whole: the rule behind "refused at the call,
/// naming what is wrong" — the run-time half of <see cref="SendabilityTable"/> (the analyzer applies the same table
/// and the same order of checks). Framework types are sendable only when listed;
/// the application's own types are copied field by field, private state included (<see cref="TypeLayout"/>), so
/// every field's declared type must be sendable in turn. Types that own something of this process (streams, threads,
/// handles, tasks, delegates, executors) are refused with the reason.
/// </summary>
internal static class Sendability
{
    /// <summary>Per-type verdicts: null when sendable, else why not. Types never change, so verdicts are cached forever.</summary>
    private static readonly ConcurrentDictionary<Type, string?> s_verdicts = new();

    private static readonly string s_runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();

    /// <summary>Returns null when values declared as <paramref name="type"/> can be sent, else a sentence saying why not.</summary>
    public static string? Check(Type type) => s_verdicts.TryGetValue(type, out string? verdict) ? verdict : s_verdicts.GetOrAdd(type, static t => Analyze(t, []));

    /// <summary>True for types of the .NET libraries (which this library copies only when it knows them).</summary>
    public static bool IsFrameworkType(Type type) =>
        type.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal))
        || type.Assembly == typeof(object).Assembly
        || (type.Assembly.Location is { Length: > 0 } location && location.StartsWith(s_runtimeDirectory, StringComparison.Ordinal));

    /// <summary>A readable C#-like type name, e.g. <c>List&lt;int&gt;</c>.</summary>
    public static string Describe(Type type)
    {
        if (type.IsArray)
        {
            return $"{Describe(type.GetElementType()!)}[{new string(',', type.GetArrayRank() - 1)}]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick > 0 ? name[..tick] : name)}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }

    private static string? Analyze(Type type, HashSet<Type> visiting)
    {
        if (type.IsPointer || type.IsByRef || type.IsByRefLike || type.IsFunctionPointer)
        {
            return $"{Describe(type)} is a pointer, reference or ref struct, which lives on this process's stack";
        }

        if (type.IsEnum || type == typeof(object) || GraphResolver.HasOwnContract(type))
        {
            return null; // object: each value's runtime type is checked as it is written
        }

        if (Array.Find(Tables.ProcessBoundTypes, bound => bound.IsAssignableFrom(type)) is { } processBound)
        {
            return $"{Describe(type)} is a {Describe(processBound)}, which belongs to this process and cannot be copied to another";
        }

        if (type.IsArray)
        {
            return type.GetArrayRank() > 4 ? $"{Describe(type)} has more than 4 dimensions" : Nested(type.GetElementType()!, visiting, "its elements");
        }

        bool collectionInterface = type.IsGenericType && Tables.CollectionInterfaces.Contains(type.GetGenericTypeDefinition());
        if (TypeTags.IsKnownFrameworkType(type) || collectionInterface)
        {
            foreach (Type argument in type.IsGenericType ? type.GetGenericArguments() : [])
            {
                if (Nested(argument, visiting, $"its {Describe(argument)} items") is { } reason)
                {
                    return reason;
                }
            }

            return null;
        }

        if (IsFrameworkType(type))
        {
            return $"{Describe(type)} is a framework type that is not known to copy faithfully; send its data (strings, numbers, arrays, records) instead";
        }

        if (type.IsInterface || type.IsAbstract)
        {
            return null; // the application's own base types: each value's runtime type is checked as it is written
        }

        return visiting.Add(type) ? AnalyzeFields(type, visiting) : null;
    }

    private static string? Nested(Type type, HashSet<Type> visiting, string what) =>
        visiting.Contains(type) ? null : Analyze(type, visiting) is { } reason ? $"{what}: {reason}" : null;

    /// <summary>An application type is copied through all its fields, as pickle copies <c>__dict__</c>.</summary>
    private static string? AnalyzeFields(Type type, HashSet<Type> visiting)
    {
        for (Type? baseType = type.BaseType; baseType is not null && baseType != typeof(object) && baseType != typeof(ValueType); baseType = baseType.BaseType)
        {
            if (IsFrameworkType(baseType))
            {
                return $"{Describe(type)} derives from the framework class {Describe(baseType)}, whose private state may not hold in another process; keep its data in fields of your own type instead";
            }
        }

        foreach (FieldInfo field in TypeLayout.CopiedFields(type))
        {
            if (Nested(field.FieldType, visiting, $"member {type.Name}.{TypeLayout.MemberName(field)}") is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>
    /// The lists only a verdict needs, apart so that <see cref="IsFrameworkType"/> (asked for every type a value
    /// holds) does not make them: building them loads the assemblies of sockets and processes.
    /// </summary>
    private static class Tables
    {
        /// <summary>Framework interfaces a value may be declared as; its runtime type then travels with it.</summary>
        public static readonly HashSet<Type> CollectionInterfaces = [.. SendabilityTypes.CollectionInterfaces];

        /// <summary>Types that wrap something of this process (an OS resource, a thread, code): named in the error.</summary>
        public static readonly Type[] ProcessBoundTypes = SendabilityTypes.ProcessBoundTypes;
    }
}
