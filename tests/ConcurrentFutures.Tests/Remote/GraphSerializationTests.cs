using System.Buffers;
using System.Collections.Immutable;
using System.Numerics;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// What a value becomes after being written and read as its declared type, in this process (the same code runs on
/// both sides of a pool, queue, pipe or cluster): equal and of the same runtime types, or refused while writing.
/// </summary>
public class GraphSerializationTests
{
    internal static T RoundTrip<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        PayloadSerializer.Write(ref writer, typeof(T), value);
        writer.Flush();
        return PayloadSerializer.Read<T>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
    }

    [Fact]
    public void InternalRecords_ArriveEqual()
    {
        var person = new Person("Ada", 36);
        Assert.Equal(person, RoundTrip(person));
        Assert.Equal(new Address("Main St", person), RoundTrip(new Address("Main St", person)));
    }

    [Fact]
    public void PrivateSettersAndReadonlyFields_AreCopied()
    {
        var account = new Account("Ada");
        account.Deposit(100m);
        Account copy = RoundTrip(account);
        Assert.Equal(100m, copy.Balance);
        Assert.Equal("Ada", copy.Owner);
        Assert.Equal("3.5 kg", RoundTrip(new Measurement(3.5, "kg")).ToString());
        Assert.Equal(4, ((Dog)RoundTrip<Animal>(new Dog(4) { Name = "Rex" })).Tricks);
    }

    [Fact]
    public void DerivedTypes_ArriveAsThemselves_WhereverTheyAreDeclared()
    {
        Shape shape = RoundTrip<Shape>(new Circle("c", 2.5));
        Assert.Equal(new Circle("c", 2.5), Assert.IsType<Circle>(shape));
        Assert.IsType<Square>(RoundTrip<Rectangle>(new Square("s", 2)));
        Assert.IsType<Dog>(RoundTrip<IAnimal>(new Dog(1)));

        List<Animal> animals = RoundTrip(new List<Animal> { new() { Name = "cat" }, new Dog(2) { Name = "dog" } });
        Assert.IsType<Animal>(animals[0]);
        Assert.Equal("dog", Assert.IsType<Dog>(animals[1]).Name);

        var bag = new Bag
        {
            Anything = new Circle("o", 1),
            Shapes = [new Square("q", 3), new Circle("r", 4)],
            Pets = { ["rex"] = new Dog(3) },
        };
        Bag copy = RoundTrip(bag);
        Assert.Equal(new Circle("o", 1), copy.Anything);
        Assert.Equal(bag.Shapes.GetType(), copy.Shapes.GetType());
        Assert.Equal(bag.Shapes, copy.Shapes);
        Assert.IsType<Dog>(copy.Pets["rex"]);
    }

    [Fact]
    public void ValuesDeclaredAsObject_KeepTheirRuntimeTypes()
    {
        object?[] values = [42, 42L, (byte)7, 'x', 1.5f, 2.5m, "text", true, null, new DateOnly(2026, 12, 1), new List<int> { 1, 2 }, new[] { 1, 2 }, new Person("o", 1), new Measurement(1, "m"), new Person[] { new("p", 2) }, new Dictionary<string, object> { ["k"] = 1.5 }, Mood.Busy, new Box<Mood>(Mood.Calm)];
        foreach (object? value in values)
        {
            object? copy = RoundTrip(value);
            Assert.Equal(value?.GetType(), copy?.GetType());
            Assert.Equal(value is System.Collections.IEnumerable e and not string ? e.Cast<object>() : value, copy is System.Collections.IEnumerable c and not string ? c.Cast<object>() : copy);
        }

        // A framework type outside the list (here an enum of the runtime) is refused where object is declared.
        var refused = Assert.ThrowsAny<MessagePackSerializationException>(() => RoundTrip<object>(DayOfWeek.Friday));
        Assert.Contains("DayOfWeek", PayloadSerializer.Unsendable(refused)!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedReferencesAndCycles_ArePreserved()
    {
        var node = new Node { Value = 1 };
        node.Next = node;
        node.Children.Add(node);
        Node copy = RoundTrip(node);
        Assert.Same(copy, copy.Next);
        Assert.Same(copy, copy.Children[0]);

        var shared = new Animal { Name = "shared" };
        List<Animal> animals = RoundTrip(new List<Animal> { shared, new Dog(1), shared });
        Assert.Same(animals[0], animals[2]);
        Assert.NotSame(animals[0], animals[1]);

        // Immutable objects holding only values (a record of numbers and strings) are copied per reference: equal,
        // and their identity is not observable but by ReferenceEquals.
        var person = new Person("s", 1);
        List<Person> people = RoundTrip(new List<Person> { person, person });
        Assert.Equal(people[0], people[1]);
    }

    [Fact]
    public async Task ADeepChain_IsRefusedWithItsPath_NotAStackOverflow()
    {
        var head = new Node();
        Node tail = head;
        for (int i = 0; i < 100_000; i++)
        {
            tail = tail.Next = new Node { Value = i };
        }

        var exception = Assert.ThrowsAny<MessagePackSerializationException>(() => RoundTrip(head));
        Assert.NotNull(PayloadSerializer.Unsendable(exception));
        Assert.Contains("1,000 levels", PayloadSerializer.Unsendable(exception)!.Reason, StringComparison.Ordinal);

        // 900 levels is within the limit, on a thread-pool thread's stack too.
        var shorter = new Node();
        tail = shorter;
        for (int i = 0; i < 900; i++)
        {
            tail = tail.Next = new Node { Value = i };
        }

        Node copy = await Task.Run(() => RoundTrip(shorter));
        int length = 0;
        for (Node? n = copy; n is not null; n = n.Next)
        {
            length++;
        }

        Assert.Equal(901, length);
    }

    [Fact]
    public void ACollectionThatContainsItself_IsRefused()
    {
        var list = new List<object>();
        list.Add(list);
        var exception = Assert.ThrowsAny<MessagePackSerializationException>(() => RoundTrip<object>(list));
        Assert.Contains("contains itself", PayloadSerializer.Unsendable(exception)!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EverydayFrameworkTypes_ArriveWhole()
    {
        var value = new EveryDayTypes
        {
            Day = new DateOnly(2026, 12, 1),
            Time = new TimeOnly(6, 52, 38, 123),
            At = new DateTimeOffset(2026, 12, 1, 6, 52, 38, TimeSpan.FromHours(2)),
            Span = TimeSpan.FromTicks(123456789),
            Id = Guid.NewGuid(),
            Link = new Uri("https://example.org/a?b=c"),
            Release = new Version(1, 2, 3, 4),
            Big = BigInteger.Pow(3, 200),
            Wide = Int128.MinValue + 5,
            WideUnsigned = UInt128.MaxValue - 7,
            Small = (Half)1.5,
            Numbers = [1, 2, 3],
            Names = ["a", "b"],
            Counts = ImmutableDictionary<string, int>.Empty.Add("x", 1),
            Bytes = new byte[] { 1, 2, 3 },
            Weekday = DayOfWeek.Monday,
            Grid = new[,] { { 1, 2 }, { 3, 4 } },
            Doubles = new[] { 0.5, 1.5 },
            Pairs = [(1, 2L), (3, 4L)],
            MaybeDays = [null, new DateOnly(2000, 1, 1)],
        };
        EveryDayTypes copy = RoundTrip(value);
        Assert.Equal(value.Day, copy.Day);
        Assert.Equal(value.Time, copy.Time);
        Assert.Equal(value.At, copy.At);
        Assert.Equal(value.At.Offset, copy.At.Offset);
        Assert.Equal(value.Span, copy.Span);
        Assert.Equal(value.Id, copy.Id);
        Assert.Equal(value.Link, copy.Link);
        Assert.Equal(value.Release, copy.Release);
        Assert.Equal(value.Big, copy.Big);
        Assert.Equal(value.Wide, copy.Wide);
        Assert.Equal(value.WideUnsigned, copy.WideUnsigned);
        Assert.Equal(value.Small, copy.Small);
        Assert.Equal(value.Numbers.ToArray(), copy.Numbers.ToArray());
        Assert.Equal(value.Names, copy.Names);
        Assert.Equal(value.Counts, copy.Counts);
        Assert.Equal(value.Bytes.ToArray(), copy.Bytes.ToArray());
        Assert.Equal(value.Weekday, copy.Weekday);
        Assert.Equal(value.Grid, copy.Grid);
        Assert.Equal(value.Doubles.ToArray(), copy.Doubles.ToArray());
        Assert.Equal(value.Pairs, copy.Pairs);
        Assert.Equal(value.MaybeDays, copy.MaybeDays);
    }

    [Fact]
    public void ProcessBoundParts_AreRefused_WithTheirPath()
    {
        Assert.Contains("Stream", Sendability.Check(typeof(HoldsAStream)), StringComparison.Ordinal);
        Assert.Contains("EventHandler", Sendability.Check(typeof(WithEvent)), StringComparison.Ordinal);
        Assert.Contains("derives from the framework class", Sendability.Check(typeof(MyList)), StringComparison.Ordinal);

        using var stream = new MemoryStream();
        var bag = new Bag { Pets = { ["a"] = new Animal() }, Anything = new List<object> { 1, new Address("x", null), stream } };
        var exception = Assert.ThrowsAny<MessagePackSerializationException>(() => RoundTrip(bag));
        var failure = PayloadSerializer.Unsendable(exception)!;
        Assert.Same(stream, failure.Offender);
        Assert.Equal("bag.Anything[2]", ConcurrentFutures.Remote.Graph.ValuePath.Find("bag", bag, failure.Offender));
    }
}
