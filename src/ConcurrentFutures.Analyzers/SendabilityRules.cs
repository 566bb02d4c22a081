using System.Collections.Generic;
using System.Linq;
using ConcurrentFutures.Remote;
using Microsoft.CodeAnalysis;

namespace ConcurrentFutures.Analyzers;

/// <summary>
/// The compile-time half of the rule of what can be sent to another process: the same table
/// (<see cref="SendabilityTable"/>, compiled into both assemblies) and the same order of checks as the run-time
/// <c>ConcurrentFutures.Remote.Sendability</c>; a test runs one corpus of type shapes through both and asserts the
/// same verdicts. The application's types are copied field by field, private state included, so every field's type
/// must be sendable in turn. For types compiled elsewhere the private fields are not visible here; their
/// properties' types stand in for them.
/// </summary>
internal sealed class SendabilityRules
{
    private static readonly HashSet<string> KnownTypes = new(SendabilityTable.KnownTypes.Select(SendabilityTable.MetadataName));

    private static readonly HashSet<string> KnownGenericTypes = new(SendabilityTable.KnownGenericTypes.Concat(SendabilityTable.CollectionInterfaces).Select(SendabilityTable.MetadataName));

    private readonly List<INamedTypeSymbol> _processBound;
    private readonly Dictionary<ITypeSymbol, string?> _verdicts = new(SymbolEqualityComparer.Default);

    public SendabilityRules(Compilation compilation)
    {
        _processBound = SendabilityTable.ProcessBoundTypes.Select(SendabilityTable.MetadataName).Select(compilation.GetTypeByMetadataName).Where(t => t is not null).Select(t => t!).ToList();
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

    /// <summary>True for Task, Task&lt;T&gt;, ValueTask and ValueTask&lt;T&gt;.</summary>
    public static bool IsAwaitable(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks"
        && named.Name is "Task" or "ValueTask";

    private string? Analyze(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
    {
        string name = Describe(type);
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || type.IsRefLikeType)
        {
            return $"{name} is a pointer, reference or ref struct, which lives on this process's stack";
        }

        if (type is ITypeParameterSymbol or IDynamicTypeSymbol || type.TypeKind == TypeKind.Error)
        {
            return null; // decided at run time
        }

        if (type.TypeKind == TypeKind.Enum || type.SpecialType == SpecialType.System_Object || HasOwnContract(type))
        {
            return null; // object: each value's runtime type is checked as it is written
        }

        if (type is INamedTypeSymbol { IsGenericType: false } && KnownTypes.Contains(MetadataName(type)))
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

        if (type is INamedTypeSymbol { IsGenericType: true } generic && KnownGenericTypes.Contains(MetadataName(generic.OriginalDefinition)))
        {
            foreach (ITypeSymbol argument in generic.TypeArguments)
            {
                if (Nested(argument, visiting, $"its {Describe(argument)} items") is { } reason)
                {
                    return reason;
                }
            }

            return null;
        }

        if (IsFramework(type))
        {
            return $"{name} is a framework type that is not known to copy faithfully; send its data (strings, numbers, arrays, records) instead";
        }

        if (type.TypeKind == TypeKind.Interface || type.IsAbstract)
        {
            return null; // the application's own base types: each value's runtime type is checked as it is written
        }

        return visiting.Add(type) ? AnalyzeFields(type, visiting) : null;
    }

    private string? Nested(ITypeSymbol type, HashSet<ITypeSymbol> visiting, string what) =>
        visiting.Contains(type) ? null : Analyze(type, visiting) is { } reason ? $"{what}: {reason}" : null;

    /// <summary>An application type is copied through all its fields, as pickle copies <c>__dict__</c>.</summary>
    private string? AnalyzeFields(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
    {
        for (ITypeSymbol? baseType = type.BaseType; baseType is not null && !IsRoot(baseType); baseType = baseType.BaseType)
        {
            if (IsFramework(baseType))
            {
                return $"{Describe(type)} derives from the framework class {Describe(baseType)}, whose private state may not hold in another process; keep its data in fields of your own type instead";
            }
        }

        foreach (ITypeSymbol level in BaseTypesAndSelf(type).Reverse())
        {
            bool fromSource = level.Locations.Any(l => l.IsInSource);
            foreach (ISymbol member in level.GetMembers())
            {
                if (member.IsStatic || IsIgnored(member))
                {
                    continue;
                }

                ITypeSymbol? copied = member switch
                {
                    IFieldSymbol { IsConst: false } field when !(field.AssociatedSymbol is { } owner && IsIgnored(owner)) => field.Type,
                    IEventSymbol { AddMethod.IsImplicitlyDeclared: true } fieldLikeEvent when fromSource => fieldLikeEvent.Type,
                    IPropertySymbol { IsIndexer: false } property when !fromSource => property.Type, // its backing field is not visible here
                    _ => null,
                };
                if (copied is not null && Nested(copied, visiting, $"member {type.Name}.{MemberName(member)}") is { } reason)
                {
                    return reason;
                }
            }
        }

        return null;
    }

    private static string MemberName(ISymbol member) => member is IFieldSymbol { AssociatedSymbol: { } owner } ? owner.Name : member.Name;

    private static bool IsRoot(ITypeSymbol type) => type.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType;

    private static IEnumerable<ITypeSymbol> BaseTypesAndSelf(ITypeSymbol type)
    {
        for (ITypeSymbol? current = type; current is not null && !IsRoot(current); current = current.BaseType)
        {
            yield return current;
        }
    }

    private static bool IsFramework(ITypeSymbol type)
    {
        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal) || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal);
    }

    private static bool HasOwnContract(ITypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is "MessagePack.MessagePackObjectAttribute" or "MessagePack.MessagePackFormatterAttribute");

    private static string Describe(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

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

    private static string MetadataName(ITypeSymbol type) =>
        type.ContainingType is { } outer ? $"{MetadataName(outer)}+{type.MetadataName}" : $"{type.ContainingNamespace.ToDisplayString()}.{type.MetadataName}";

    private static bool IsIgnored(ISymbol member) =>
        member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is "MessagePack.IgnoreMemberAttribute" or "System.Runtime.Serialization.IgnoreDataMemberAttribute" or "System.NonSerializedAttribute");
}
