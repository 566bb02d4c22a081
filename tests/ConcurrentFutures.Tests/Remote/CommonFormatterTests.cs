using ConcurrentFutures.Remote.Graph;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// The resolver names the built-in formatter of the commonest types itself (so that a worker's first record does not
/// build MessagePack's whole built-in table): it must be the very formatter the built-in resolver gives.
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

    private static void Same<T>()
    {
        IMessagePackFormatter<T>? builtIn = BuiltinResolver.Instance.GetFormatter<T>();
        Assert.NotNull(builtIn);
        Assert.Same(builtIn, GraphResolver.CommonFormatter<T>());
    }
}
