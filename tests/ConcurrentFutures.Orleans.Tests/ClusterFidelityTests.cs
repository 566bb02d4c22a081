using ConcurrentFutures.Tests.Remote;
using CsCheck;

namespace ConcurrentFutures.Orleans.Tests;

/// <summary>The same promise on the cluster: values reach a silo and come back whole, or are refused at Submit.</summary>
[Collection(SharedTwoSiloCluster.Name)]
public class ClusterFidelityTests(TwoSiloCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void InternalTypesPrivateStateDerivedTypesAndCycles_ReachASiloAndComeBack()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client);
        var account = new Account("Ada");
        account.Deposit(100m);
        Assert.Equal(100m, executor.Submit(FidelityFunctions.BalanceOf, account).Result(Patience));
        Assert.Equal("Circle", executor.Submit(FidelityFunctions.KindOf, (Shape)new Circle("c", 1)).Result(Patience));
        Assert.IsType<Square>(executor.Submit(FidelityFunctions.MakeSquare, 2.0).Result(Patience));
        var person = new Person("Ada", 36);
        Assert.Equal(37, executor.Submit(() => person.Age + 1).Result(Patience));

        var node = new Node { Value = 1 };
        node.Next = node;
        node.Children.Add(node);
        Node back = executor.Submit(FidelityFunctions.Echo, node).Result(Patience);
        Assert.Same(back, back.Next);
    }

    [Fact]
    public void RandomGraphs_ThroughTheCluster_ArriveWithTheSameShape()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client);
        Gen.Int.Sample(seed =>
        {
            GBase graph = RandomGraphs.Build(seed);
            GBase copy = executor.Submit(RandomGraphs.Echo, graph).Result(Patience);
            Assert.True(RandomGraphs.SameGraph(graph, copy, out string difference), $"seed {seed}: {difference}");
        }, iter: Math.Min(RandomGraphs.Cases, 300), threads: 1);
    }

    [Fact]
    public void AsyncWorkAndDeepGraphs_AreRefusedAtSubmit()
    {
        using var executor = new ClusterExecutor(cluster.Cluster.Client);
        Assert.Contains("use SubmitAsync", Assert.Throws<ArgumentException>(() => executor.Submit(FidelityFunctions.AddLater, 1)).Message, StringComparison.Ordinal);
        Assert.Equal(2, executor.SubmitAsync(FidelityFunctions.AddLater, 1).Result(Patience));
        var head = new Node();
        Node tail = head;
        for (int i = 0; i < 5_000; i++)
        {
            tail = tail.Next = new Node();
        }

        var deep = Assert.Throws<ArgumentException>(() => executor.Submit(FidelityFunctions.Echo, head));
        Assert.Contains("at node.Next.Next", deep.Message, StringComparison.Ordinal);
    }
}
