using System.Collections.Concurrent;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Decides whether values of a type can be copied to another process without losing anything: the rule behind
/// "rejected at Submit, naming the offending member". Framework types are sendable only when listed here; user types
/// (classes, structs, records) are checked member by member, recursively, and must not hide private state.
/// </summary>
internal static class Sendability
{
    /// <summary>Per-type verdicts: null when sendable, else why not. Types never change, so verdicts are cached forever.</summary>
    private static readonly ConcurrentDictionary<Type, string?> s_verdicts = new();

    private static readonly HashSet<Type> s_leafTypes =
    [
        typeof(bool), typeof(char), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(string), typeof(DateTime),
        typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid), typeof(BigInteger), typeof(Uri), typeof(Version),
        typeof(System.Text.StringBuilder),
    ];

    private static readonly HashSet<Type> s_genericContainers =
    [
        typeof(Nullable<>), typeof(List<>), typeof(IList<>), typeof(ICollection<>), typeof(IEnumerable<>),
        typeof(IReadOnlyList<>), typeof(IReadOnlyCollection<>), typeof(HashSet<>), typeof(ISet<>), typeof(Queue<>),
        typeof(Stack<>), typeof(LinkedList<>), typeof(Dictionary<,>), typeof(IDictionary<,>), typeof(IReadOnlyDictionary<,>),
        typeof(SortedDictionary<,>), typeof(SortedList<,>), typeof(KeyValuePair<,>), typeof(ReadOnlyMemory<>), typeof(Memory<>),
        typeof(ArraySegment<>), typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>), typeof(Tuple<,,,,>),
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>),
        typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>),
    ];

    /// <summary>Types that wrap something of this process (an OS resource, a thread, code): named in the error.</summary>
    private static readonly Type[] s_processBoundTypes =
    [
        typeof(Delegate), typeof(Stream), typeof(System.Net.Sockets.Socket), typeof(System.Runtime.InteropServices.SafeHandle),
        typeof(WaitHandle), typeof(Thread), typeof(Task), typeof(CancellationTokenSource), typeof(CancellationToken),
        typeof(System.Diagnostics.Process), typeof(MemberInfo), typeof(Assembly), typeof(IntPtr), typeof(UIntPtr),
        typeof(Executor), typeof(Future), typeof(IDisposable),
    ];

    /// <summary>Returns null when values declared as <paramref name="type"/> can be sent, else a sentence saying why not.</summary>
    public static string? Check(Type type) => s_verdicts.GetOrAdd(type, static t => Analyze(t, []));

    /// <summary>
    /// Checks one value. Declared types are checked once; a value declared as <see cref="object"/> is accepted only
    /// when it comes back as itself (null, a primitive or a string), because its runtime type is not sent.
    /// </summary>
    public static string? CheckValue(Type declaredType, object? value)
    {
        if (declaredType == typeof(object))
        {
            return value is null || value is string || value.GetType().IsPrimitive
                ? null
                : $"its value is a {Describe(value.GetType())} but it is declared as object, and only the declared type is rebuilt on the other side; declare it as {Describe(value.GetType())}";
        }

        return Check(declaredType);
    }

    /// <summary>A readable C#-like type name, e.g. <c>List&lt;int&gt;</c>.</summary>
    public static string Describe(Type type)
    {
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
        if (type.IsPointer || type.IsByRef || type.IsByRefLike)
        {
            return $"{Describe(type)} is a pointer, reference or ref struct, which lives on this process's stack";
        }

        if (s_leafTypes.Contains(type) || type.IsEnum)
        {
            return null;
        }

        if (type == typeof(object))
        {
            return null; // accepted here; each value is checked by CheckValue
        }

        if (type.IsDefined(typeof(MessagePack.MessagePackObjectAttribute), inherit: false)
            || type.IsDefined(typeof(MessagePack.MessagePackFormatterAttribute), inherit: false))
        {
            return null; // the type chose its own MessagePack contract (process handles such as queues do)
        }

        if (Array.Find(s_processBoundTypes, bound => bound.IsAssignableFrom(type)) is { } processBound)
        {
            return $"{Describe(type)} is a {Describe(processBound)}, which belongs to this process and cannot be copied to another";
        }

        if (type.IsArray)
        {
            return type.GetArrayRank() > 4 ? $"{Describe(type)} has more than 4 dimensions" : Nested(type.GetElementType()!, visiting, "its elements");
        }

        if (type.IsGenericType && s_genericContainers.Contains(type.GetGenericTypeDefinition()))
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                if (Nested(argument, visiting, $"its {Describe(argument)} items") is { } reason)
                {
                    return reason;
                }
            }

            return null;
        }

        if (type.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal)))
        {
            return $"{Describe(type)} is a framework type that is not known to copy faithfully; send its data (strings, numbers, arrays, records) instead";
        }

        if (type.IsInterface || type.IsAbstract)
        {
            return $"{Describe(type)} is an interface or abstract type; only concrete types can be rebuilt on the other side";
        }

        return visiting.Add(type) ? AnalyzeMembers(type, visiting) : null;
    }

    private static string? Nested(Type type, HashSet<Type> visiting, string what) =>
        visiting.Contains(type) ? null : Analyze(type, visiting) is { } reason ? $"{what}: {reason}" : null;

    /// <summary>A user type is copied through its public fields and properties; private state would be silently lost.</summary>
    private static string? AnalyzeMembers(Type type, HashSet<Type> visiting)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var publicProperties = new HashSet<string>(StringComparer.Ordinal);
        int copied = 0;
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true } || IsIgnored(property))
            {
                continue;
            }

            publicProperties.Add(property.Name);
            copied++;
            if (Nested(property.PropertyType, visiting, $"member {type.Name}.{property.Name}") is { } reason)
            {
                return reason;
            }
        }

        foreach (FieldInfo field in type.GetFields(Instance))
        {
            if (field.IsPublic)
            {
                if (IsIgnored(field))
                {
                    continue;
                }

                copied++;
                if (Nested(field.FieldType, visiting, $"member {type.Name}.{field.Name}") is { } reason)
                {
                    return reason;
                }
            }
            else if (!IsBackingFieldOf(field, publicProperties) && !IsIgnored(field))
            {
                return $"{Describe(type)} has private state (field {field.Name}) that would be lost in the copy; make it a public property or mark the type [MessagePackObject]";
            }
        }

        return copied == 0 && !type.IsValueType
            ? $"{Describe(type)} has no public fields or properties to copy"
            : null;
    }

    private static bool IsBackingFieldOf(FieldInfo field, HashSet<string> publicProperties) =>
        field.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        && field.Name.StartsWith('<')
        && field.Name.IndexOf(">k__BackingField", StringComparison.Ordinal) is int end and > 1
        && publicProperties.Contains(field.Name[1..end]);

    private static bool IsIgnored(MemberInfo member) =>
        member.IsDefined(typeof(MessagePack.IgnoreMemberAttribute), inherit: true)
        || member.IsDefined(typeof(IgnoreDataMemberAttribute), inherit: true);
}
