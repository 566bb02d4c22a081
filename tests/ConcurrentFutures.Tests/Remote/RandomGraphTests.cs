using ConcurrentFutures.Multiprocessing;
using CsCheck;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// Property tests (CsCheck): random object graphs — public and internal types, three levels of inheritance, private
/// setters and readonly fields, collections, nullables, boxed values, shared references and cycles — cross a real
/// worker, a real queue and a real pipe and arrive with the same shape. 1,000 cases per property in CI.
/// </summary>
public class RandomGraphTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void RandomGraphs_ThroughAWorker_ArriveWithTheSameShape()
    {
        using var pool = new ProcessPoolExecutor(1);
        Gen.Int.Sample(seed =>
        {
            GBase graph = RandomGraphs.Build(seed);
            GBase back = pool.Submit(RandomGraphs.Echo, graph).Result(Patience);
            Assert.True(RandomGraphs.SameGraph(graph, back, out string difference), $"seed {seed}: {difference}");
        }, iter: RandomGraphs.Cases, threads: 1);
    }

    [Fact]
    public void RandomGraphs_ThroughAQueueAndAChild_ArriveWithTheSameShape()
    {
        using var inbox = new ProcessQueue<GBase?>();
        using var outbox = new ProcessQueue<GBase?>();
        using var child = new Process(RandomGraphs.EchoQueue, inbox, outbox);
        child.Start();
        try
        {
            Gen.Int.Sample(seed =>
            {
                GBase graph = RandomGraphs.Build(seed);
                inbox.Put(graph);
                GBase? back = outbox.Get(Patience);
                Assert.True(RandomGraphs.SameGraph(graph, back, out string difference), $"seed {seed}: {difference}");
            }, iter: RandomGraphs.Cases, threads: 1);
        }
        finally
        {
            inbox.Put(null);
            Assert.True(child.Join(Patience));
        }
    }

    [Fact]
    public void RandomGraphs_ThroughAPipeAndAChild_ArriveWithTheSameShape()
    {
        var (parent, childEnd) = Pipe.Create();
        using (parent)
        using (childEnd)
        using (var child = new Process(RandomGraphs.EchoPipe, childEnd))
        {
            child.Start();
            try
            {
                Gen.Int.Sample(seed =>
                {
                    GBase graph = RandomGraphs.Build(seed);
                    parent.Send(graph);
                    Assert.True(parent.Poll(Patience));
                    GBase? back = parent.Receive<GBase?>();
                    Assert.True(RandomGraphs.SameGraph(graph, back, out string difference), $"seed {seed}: {difference}");
                }, iter: RandomGraphs.Cases, threads: 1);
            }
            finally
            {
                parent.Send<GBase?>(null);
                Assert.True(child.Join(Patience));
            }
        }
    }

    [Fact]
    public void TheComparison_SeesADroppedSharingOrAChangedType()
    {
        // The property is only as good as its comparison: it must fail on the losses the old copy had.
        var shared = new GMid();
        var original = new GPublic { Link = shared };
        original.Items.Add(shared);
        var unshared = new GPublic { Link = new GMid() };
        unshared.Items.Add(new GMid());
        Assert.False(RandomGraphs.SameGraph(original, unshared, out _));
        var baseOnly = new GPublic { Link = new GPublic() };
        baseOnly.Items.Add(baseOnly.Link);
        Assert.False(RandomGraphs.SameGraph(original, baseOnly, out _));
        var leaf = new GLeaf(1);
        leaf.SetAmount(100m);
        var poorer = new GLeaf(1);
        Assert.False(RandomGraphs.SameGraph(leaf, poorer, out _));
        Assert.True(RandomGraphs.SameGraph(original, original, out _));
    }
}
