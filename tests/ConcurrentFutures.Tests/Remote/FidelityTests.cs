using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// The user's own shapes of data through real processes (a pool's worker, a child with a queue, a child with a pipe):
/// they arrive whole, or the call that received them refuses them naming the parameter, capture or item and the path.
/// </summary>
public class FidelityTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void InternalRecordsPrivateStateAndDerivedTypes_ReachTheWorkerAndComeBack()
    {
        using var pool = new ProcessPoolExecutor(1);
        var person = new Person("Ada", 36);
        Assert.Equal(37, pool.Submit(() => person.Age + 1).Result(Patience));
        Assert.Equal(person, pool.Submit(FidelityFunctions.EchoObject, (object?)person).Result(Patience));

        var account = new Account("Ada");
        account.Deposit(100m);
        Assert.Equal(100m, pool.Submit(FidelityFunctions.BalanceOf, account).Result(Patience));

        Assert.Equal("Circle", pool.Submit(FidelityFunctions.KindOf, (Shape)new Circle("c", 1)).Result(Patience));
        Assert.Equal(["Animal", "Dog"], pool.Submit(FidelityFunctions.KindsOf, new List<Animal> { new(), new Dog(2) }).Result(Patience));
        Assert.Equal(new Square("made", 3), Assert.IsType<Square>(pool.Submit(FidelityFunctions.MakeSquare, 3.0).Result(Patience)));
        Assert.Equal(["Circle", "Square"], pool.Map(FidelityFunctions.KindOf, new Shape[] { new Circle("a", 1), new Square("b", 2) }, Patience, chunkSize: 2));
    }

    [Fact]
    public void Cycles_ArriveAsCycles_BothWays()
    {
        using var pool = new ProcessPoolExecutor(1);
        var node = new Node { Value = 1 };
        node.Next = node;
        node.Children.Add(node);
        Assert.True(pool.Submit(FidelityFunctions.PointsToItself, node).Result(Patience));
        Node back = pool.Submit(FidelityFunctions.Echo, node).Result(Patience);
        Assert.Same(back, back.Next);
    }

    [Fact]
    public void AnObjectGivenTwice_ArrivesOnce_AcrossArgumentsAndAcrossCaptures()
    {
        using var pool = new ProcessPoolExecutor(1);
        var pet = new Dog(1) { Name = "rex" };
        Assert.True(pool.Submit(FidelityFunctions.Same, (Animal)pet, (Animal)pet).Result(Patience));
        Assert.False(pool.Submit(FidelityFunctions.Same, (Animal)pet, (Animal)new Dog(1)).Result(Patience));
        Animal alias = pet;
        Assert.True(pool.Submit(() => ReferenceEquals(pet, alias) && alias is Dog).Result(Patience));
        Assert.Equal([true, true], pool.Map(FidelityFunctions.Same, new Animal[] { pet, alias }, new Animal[] { pet, alias }, Patience, chunkSize: 2));
    }

    [Fact]
    public void EverydayFrameworkTypes_ReachTheWorkerAndComeBack()
    {
        using var pool = new ProcessPoolExecutor(1);
        var value = new EveryDayTypes { Day = new DateOnly(2026, 12, 1), Time = new TimeOnly(7, 0), Wide = Int128.MaxValue, Numbers = [1, 2], Small = (Half)0.5 };
        EveryDayTypes copy = pool.Submit(FidelityFunctions.EchoEveryDay, value).Result(Patience);
        Assert.Equal((value.Day, value.Time, value.Wide, value.Small), (copy.Day, copy.Time, copy.Wide, copy.Small));
        Assert.Equal([1, 2], copy.Numbers.ToArray());
    }

    [Fact]
    public void WhatCannotBeSent_IsRefusedAtTheCall_NamingWhereItSits()
    {
        using var pool = new ProcessPoolExecutor(1);
        var head = new Node();
        Node tail = head;
        for (int i = 0; i < 100_000; i++)
        {
            tail = tail.Next = new Node { Value = i };
        }

        var deep = Assert.Throws<ArgumentException>(() => pool.Submit(FidelityFunctions.Echo, head));
        Assert.Equal("arg1", deep.ParamName);
        Assert.Contains("Argument 'node'", deep.Message, StringComparison.Ordinal);
        Assert.Contains("at node.Next.Next.Next", deep.Message, StringComparison.Ordinal);
        Assert.Contains("1,000 levels", deep.Message, StringComparison.Ordinal);

        using var stream = new MemoryStream();
        var bag = new Bag { Anything = new List<object> { 1, stream } };
        var captured = Assert.Throws<ArgumentException>(() => pool.Submit(() => bag.Anything!.GetHashCode()));
        Assert.Contains("captures 'bag'", captured.Message, StringComparison.Ordinal);
        Assert.Contains("at bag.Anything[1]: MemoryStream is a Stream", captured.Message, StringComparison.Ordinal);

        Assert.Empty(pool.WorkerProcessIds); // nothing reached a worker

        // Map sends chunks as it goes (as Python's map pickles them): the chunk holding the stream is refused.
        var mapped = Assert.Throws<ArgumentException>(() => pool.Map(FidelityFunctions.EchoObject, new object?[] { 1, 2, 3, stream }, Patience, chunkSize: 2).ToList());
        Assert.Equal("source", mapped.ParamName);
        Assert.Contains("Item 3 of the source", mapped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APoolInitializer_GetsItsArgumentsWhole_OrThePoolIsRefused()
    {
        using (var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, Initializer = (Action<Shape>)FidelityFunctions.Remember, InitializerArgs = [new Square("init", 4)] }))
        {
            Assert.Equal(new Square("init", 4).ToString(), pool.Submit(FidelityFunctions.Remembered).Result(Patience));
        }

        using var stream = new MemoryStream();
        var refused = Assert.Throws<ArgumentException>(() => new ProcessPoolExecutor(new ProcessPoolOptions { Initializer = (Action<object?>)(o => { }), InitializerArgs = [new List<object> { stream }] }));
        Assert.Equal("options.InitializerArgs", refused.ParamName);
        Assert.Contains("at o[0]: MemoryStream is a Stream", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AResultThatCannotBeSentBack_FailsThatFutureOnly_SayingWhere()
    {
        using var pool = new ProcessPoolExecutor(1);
        var deep = Assert.Throws<InvalidOperationException>(() => pool.Submit(FidelityFunctions.Chain, 100_000).Result(Patience));
        Assert.Contains("The result of FidelityFunctions.Chain cannot be sent back", deep.Message, StringComparison.Ordinal);
        Assert.Contains("at result.Next.Next", deep.Message, StringComparison.Ordinal);
        var stream = Assert.Throws<InvalidOperationException>(() => pool.Submit(FidelityFunctions.StreamInside).Result(Patience));
        Assert.Contains("at result[1]: MemoryStream is a Stream", stream.Message, StringComparison.Ordinal);
        Assert.Equal(900, CountChain(pool.Submit(FidelityFunctions.Chain, 900).Result(Patience))); // the same worker keeps serving
    }

    private static int CountChain(Node node)
    {
        int links = 0;
        for (Node? n = node.Next; n is not null; n = n.Next)
        {
            links++;
        }

        return links;
    }

    [Fact]
    public void AsyncWork_RunsToCompletionThroughSubmitAsync_AndSubmitRefusesIt()
    {
        using var pool = new ProcessPoolExecutor(1);
        var refused = Assert.Throws<ArgumentException>(() => pool.Submit(async () => { await Task.Yield(); return 7; }));
        Assert.Contains("use SubmitAsync", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => pool.Map(FidelityFunctions.AddLater, [1, 2], Patience).ToList());

        Assert.Equal(8, pool.SubmitAsync(async () => { await Task.Delay(10); return 8; }).Result(Patience));
        Assert.Equal(2, pool.SubmitAsync(FidelityFunctions.AddLater, 1).Result(Patience));
    }

    [Fact]
    public void DerivedTypesAndCycles_ThroughAQueueFromAChild()
    {
        using var queue = new ProcessQueue<Shape>();
        using var child = new Process(FidelityFunctions.PutShapes, queue);
        child.Start();
        Assert.IsType<Circle>(queue.Get(Patience));
        Assert.Equal(new Square("s", 2), Assert.IsType<Square>(queue.Get(Patience)));
        Assert.Equal(new Rectangle("r", 1, 2), Assert.IsType<Rectangle>(queue.Get(Patience)));
        Assert.True(child.Join(Patience));
        Assert.Equal(0, child.ExitCode);

        using var objects = new ProcessQueue<object>();
        var node = new Node { Value = 3 };
        node.Next = node;
        node.Children.Add(node);
        objects.Put(node);
        var back = Assert.IsType<Node>(objects.Get(Patience));
        Assert.Same(back, back.Next);

        var list = new List<object>();
        list.Add(list);
        var refused = Assert.Throws<ArgumentException>(() => objects.Put(list));
        Assert.Equal("item", refused.ParamName);
        Assert.Contains("contains itself", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolymorphicGraphs_ThroughAPipe_BothWays()
    {
        var (parent, childEnd) = Pipe.Create();
        using (parent)
        using (childEnd)
        using (var child = new Process(FidelityFunctions.EchoBags, childEnd))
        {
            child.Start();
            var shared = new Dog(5) { Name = "rex" };
            var bag = new Bag { Anything = shared, Shapes = [new Circle("c", 1)], Pets = { ["a"] = shared, ["b"] = new Animal { Name = "cat" } } };
            parent.Send(bag);
            Assert.True(parent.Poll(Patience));
            Bag back = parent.Receive<Bag>();
            Assert.Same(back.Anything, back.Pets["a"]);
            Assert.Equal(5, Assert.IsType<Dog>(back.Pets["a"]).Tricks);
            Assert.IsType<Circle>(back.Shapes[0]);
            Assert.True(child.Join(Patience));
        }
    }
}
