using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ConcurrentFutures.Analyzers;

/// <summary>
/// The compile-time twin of the runtime check (ConcurrentFutures.Remote.Sendability): the same lists of framework types
/// that can and cannot be copied, the same member-by-member rule for user types. Keep the two in step.
/// </summary>
internal sealed class SendabilityRules
{
    private static readonly HashSet<string> LeafTypes =
    [
        "System.DateTimeOffset", "System.TimeSpan", "System.Guid", "System.Numerics.BigInteger", "System.Uri",
        "System.Version", "System.Text.StringBuilder",
    ];

    private static readonly HashSet<string> GenericContainers =
    [
        "System.Nullable`1", "System.Collections.Generic.List`1", "System.Collections.Generic.IList`1",
        "System.Collections.Generic.ICollection`1", "System.Collections.Generic.IEnumerable`1",
        "System.Collections.Generic.IReadOnlyList`1", "System.Collections.Generic.IReadOnlyCollection`1",
        "System.Collections.Generic.HashSet`1", "System.Collections.Generic.ISet`1", "System.Collections.Generic.Queue`1",
        "System.Collections.Generic.Stack`1", "System.Collections.Generic.LinkedList`1", "System.Collections.Generic.Dictionary`2",
        "System.Collections.Generic.IDictionary`2", "System.Collections.Generic.IReadOnlyDictionary`2",
        "System.Collections.Generic.SortedDictionary`2", "System.Collections.Generic.SortedList`2",
        "System.Collections.Generic.KeyValuePair`2", "System.ReadOnlyMemory`1", "System.Memory`1", "System.ArraySegment`1",
        "System.Tuple`1", "System.Tuple`2", "System.Tuple`3", "System.Tuple`4", "System.Tuple`5",
        "System.ValueTuple`1", "System.ValueTuple`2", "System.ValueTuple`3", "System.ValueTuple`4", "System.ValueTuple`5",
        "System.ValueTuple`6", "System.ValueTuple`7",
    ];

    /// <summary>Types that wrap something of this process (an OS resource, a thread, code).</summary>
    private static readonly string[] ProcessBoundTypes =
    [
        "System.Delegate", "System.IO.Stream", "System.Net.Sockets.Socket", "System.Runtime.InteropServices.SafeHandle",
        "System.Threading.WaitHandle", "System.Threading.Thread", "System.Threading.Tasks.Task",
        "System.Threading.CancellationTokenSource", "System.Threading.CancellationToken", "System.Diagnostics.Process",
        "System.Reflection.MemberInfo", "System.Reflection.Assembly", "System.IntPtr", "System.UIntPtr",
        "ConcurrentFutures.Executor", "ConcurrentFutures.Future", "System.IDisposable",
    ];

    private readonly List<INamedTypeSymbol> _processBound;
    private readonly Dictionary<ITypeSymbol, string?> _verdicts = new(SymbolEqualityComparer.Default);

    public SendabilityRules(Compilation compilation)
    {
        _processBound = ProcessBoundTypes.Select(compilation.GetTypeByMetadataName).Where(t => t is not null).Select(t => t!).ToList();
    }

    /// <summary>Null when values of <paramref name="type"/> can be sent, else a sentence saying why not.</summary>
    public string? Check(ITypeSymbol type)
    {
        if (_verdicts.TryGetValue(type, out string? verdict))
        {
            return verdict;
        }

        verdict = Analyze(type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));
        _verdicts[type] = verdict;
        return verdict;
    }

    private string? Analyze(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
    {
        string name = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || type.IsRefLikeType)
        {
            return $"{name} is a pointer or ref struct, which lives on this process's stack";
        }

        if (type is ITypeParameterSymbol or IDynamicTypeSymbol || type.TypeKind == TypeKind.Error)
        {
            return null; // decided at run time
        }

        if (IsLeaf(type) || type.TypeKind == TypeKind.Enum || type.SpecialType == SpecialType.System_Object)
        {
            return null;
        }

        if (type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is "MessagePack.MessagePackObjectAttribute" or "MessagePack.MessagePackFormatterAttribute"))
        {
            return null;
        }

        if (_processBound.FirstOrDefault(bound => IsAssignableTo(type, bound)) is { } processBound)
        {
            return $"{name} is a {processBound.Name}, which belongs to this process and cannot be copied to another";
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.Rank > 4 ? $"{name} has more than 4 dimensions" : Nested(array.ElementType, visiting, "its elements");
        }

        if (type is INamedTypeSymbol { IsGenericType: true } generic && GenericContainers.Contains(MetadataName(generic.OriginalDefinition)))
        {
            foreach (ITypeSymbol argument in generic.TypeArguments)
            {
                if (Nested(argument, visiting, $"its {argument.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} items") is { } reason)
                {
                    return reason;
                }
            }

            return null;
        }

        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        if (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal) || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal))
        {
            return $"{name} is a framework type that is not known to copy faithfully; send its data (strings, numbers, arrays, records) instead";
        }

        if (type.TypeKind == TypeKind.Interface || type.IsAbstract)
        {
            return $"{name} is an interface or abstract type; only concrete types can be rebuilt on the other side";
        }

        return visiting.Add(type) ? AnalyzeMembers(type, visiting) : null;
    }

    private string? Nested(ITypeSymbol type, HashSet<ITypeSymbol> visiting, string what) =>
        visiting.Contains(type) ? null : Analyze(type, visiting) is { } reason ? $"{what}: {reason}" : null;

    /// <summary>A user type is copied through its public fields and properties; private state would be lost.</summary>
    private string? AnalyzeMembers(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
    {
        int copied = 0;
        foreach (ITypeSymbol level in BaseTypesAndSelf(type))
        {
            foreach (ISymbol member in level.GetMembers())
            {
                if (member.IsStatic || IsIgnored(member))
                {
                    continue;
                }

                if (member is IPropertySymbol { IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } property)
                {
                    copied++;
                    if (Nested(property.Type, visiting, $"member {type.Name}.{property.Name}") is { } reason)
                    {
                        return reason;
                    }
                }
                else if (member is IFieldSymbol field)
                {
                    if (field.DeclaredAccessibility == Accessibility.Public)
                    {
                        copied++;
                        if (Nested(field.Type, visiting, $"member {type.Name}.{field.Name}") is { } reason)
                        {
                            return reason;
                        }
                    }
                    else if (SymbolEqualityComparer.Default.Equals(level, type) && field.AssociatedSymbol is not IPropertySymbol { DeclaredAccessibility: Accessibility.Public })
                    {
                        return $"{type.Name} has private state (field {field.Name}) that would be lost in the copy; make it a public property or mark the type [MessagePackObject]";
                    }
                }
            }
        }

        return copied == 0 && !type.IsValueType ? $"{type.Name} has no public fields or properties to copy" : null;
    }

    private static IEnumerable<ITypeSymbol> BaseTypesAndSelf(ITypeSymbol type)
    {
        for (ITypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            yield return current;
        }
    }

    private static bool IsLeaf(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
            or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
            or SpecialType.System_Decimal or SpecialType.System_String or SpecialType.System_DateTime => true,
        _ => LeafTypes.Contains(type.ToDisplayString()),
    };

    private static bool IsAssignableTo(ITypeSymbol type, INamedTypeSymbol target)
    {
        if (target.TypeKind == TypeKind.Interface)
        {
            return SymbolEqualityComparer.Default.Equals(type, target) || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, target));
        }

        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, target))
            {
                return true;
            }
        }

        return false;
    }

    private static string MetadataName(INamedTypeSymbol type) =>
        $"{type.ContainingNamespace.ToDisplayString()}.{type.MetadataName}";

    private static bool IsIgnored(ISymbol member) =>
        member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is "MessagePack.IgnoreMemberAttribute" or "System.Runtime.Serialization.IgnoreDataMemberAttribute");
}
