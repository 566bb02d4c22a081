using ConcurrentFutures.Remote.Graph;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Point = ConcurrentFutures.Tests.Processes.Point;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// The resolver names the built-in formatter of the commonest types itself (so that a worker's first record does not
/// build MessagePack's whole built-in table): it must be the very formatter the built-in resolver gives. Likewise the
/// commonest collections' (so that it does not ask MessagePack's generic resolver, which loads ICU): the type of
/// formatter that resolver creates.
/// </summary>
public class CommonFormatterTests
{
    [Fact]
    public void EachCommonType_GetsTheBuiltInResolversOwnFormatter()
    {
        Same<string>();
        Same<byte[]>();
        Same<int>();
        Same<long>();
        Same<double>();
        Same<bool>();
        Same<float>();
        Same<short>();
        Same<byte>();
        Same<char>();
        Same<uint>();
        Same<ulong>();
        Same<DateTime>();
        Same<Guid>();
        Same<decimal>();
        Same<TimeSpan>();
    }

    [Fact]
    public void OtherTypes_AreLeftToTheBuiltInResolver()
    {
        Assert.Null(GraphResolver.CommonFormatter<DateTimeOffset>());
        Assert.Null(GraphResolver.CommonFormatter<int?>());
        Assert.Null(GraphResolver.CommonFormatter<int[]>());
        Assert.Null(GraphResolver.CommonFormatter<List<string>>());
        Assert.Null(GraphResolver.CommonFormatter<object>());
    }

    [Fact]
    public void CommonCollections_GetTheFormatterTypeTheGenericResolverCreates()
    {
        SameType<List<int>>();
        SameType<List<Point>>();
        SameType<List<List<string>>>();
        SameType<Dictionary<string, int>>();
        SameType<Dictionary<int, Point[]>>();
        SameType<HashSet<string>>();
        SameType<KeyValuePair<string, int>>();
        SameType<Point[]>();
        SameType<decimal[]>();
        SameType<DayOfWeek[]>();
        SameType<List<int>[]>();
    }

    [Fact]
    public void OtherCollections_AreLeftToMessagePacksResolvers()
    {
        // The built-in resolver has array formatters of its own for these element types; the rest are less common.
        Assert.Null(GraphResolver.CommonCollectionFormatter<int[]>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<string[]>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<object[]>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<DateTime[]>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<byte[]>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<int[,]>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<Queue<int>>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<int?>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<Tuple<int, string>>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<IList<int>>());
        Assert.Null(GraphResolver.CommonCollectionFormatter<string>());
    }

    private static void SameType<T>()
    {
        // The resolvers asked before the generic one (the built-in one has List<int>) would give the same type too.
        IMessagePackFormatter<T>? generic = DynamicGenericResolver.Instance.GetFormatter<T>();
        Assert.NotNull(generic);
        IMessagePackFormatter<T>? ours = GraphResolver.CommonCollectionFormatter<T>();
        Assert.IsType(generic.GetType(), ours);
        if (BuiltinResolver.Instance.GetFormatter<T>() is { } builtIn)
        {
            Assert.IsType(builtIn.GetType(), ours);
        }
    }

    private static void Same<T>()
    {
        IMessagePackFormatter<T>? builtIn = BuiltinResolver.Instance.GetFormatter<T>();
        Assert.NotNull(builtIn);
        Assert.Same(builtIn, GraphResolver.CommonFormatter<T>());
    }
}
