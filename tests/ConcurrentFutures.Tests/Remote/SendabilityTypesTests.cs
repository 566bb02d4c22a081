using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// The run time's lists of types (written as typeof, so that no name is parsed) are the table's names, type for type
/// and in order: a type's position in the known lists is its number on the wire, and the analyzer reads the names.
/// </summary>
public class SendabilityTypesTests
{
    [Fact]
    public void EachList_HoldsTheTypesTheTableNames_InItsOrder()
    {
        Assert.Equal(Resolve(SendabilityTable.KnownTypes), SendabilityTypes.KnownTypes);
        Assert.Equal(Resolve(SendabilityTable.KnownGenericTypes), SendabilityTypes.KnownGenericTypes);
        Assert.Equal(Resolve(SendabilityTable.CollectionInterfaces), SendabilityTypes.CollectionInterfaces);
        Assert.Equal(Resolve(SendabilityTable.ProcessBoundTypes), SendabilityTypes.ProcessBoundTypes);
    }

    /// <summary>The types a list of the table names, as the run time resolved them before it listed them itself.</summary>
    private static Type[] Resolve(string[] names) => Array.ConvertAll(names, name => Type.GetType(name, throwOnError: true)!);
}
