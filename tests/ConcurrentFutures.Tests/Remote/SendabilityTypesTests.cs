using ConcurrentFutures.Remote;
using ConcurrentFutures.Remote.Graph;

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
        Assert.Equal(TypeTags.Resolve(SendabilityTable.KnownTypes), SendabilityTypes.KnownTypes);
        Assert.Equal(TypeTags.Resolve(SendabilityTable.KnownGenericTypes), SendabilityTypes.KnownGenericTypes);
        Assert.Equal(TypeTags.Resolve(SendabilityTable.CollectionInterfaces), SendabilityTypes.CollectionInterfaces);
        Assert.Equal(TypeTags.Resolve(SendabilityTable.ProcessBoundTypes), SendabilityTypes.ProcessBoundTypes);
    }
}
