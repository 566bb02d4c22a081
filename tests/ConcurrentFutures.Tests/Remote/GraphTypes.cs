using System.Collections.Immutable;
using System.Numerics;

namespace ConcurrentFutures.Tests.Remote;

// The everyday shapes of .NET data that must cross a process whole: internal and nested private types, private
// setters and fields, get-only properties, inheritance, shared references and cycles. Internal on purpose (a
// top-level program's records are internal).
#pragma warning disable CA1852, SA1402, SA1649, CA1812, CA1051, IDE0032, CA1805, CA1819

internal sealed record Person(string Name, int Age);

internal enum Mood
{
    Calm,
    Busy,
}

internal sealed record Address(string Street, Person? Owner);

internal sealed class Account
{
    public Account(string owner) => Owner = owner;

    public string Owner { get; }

    public decimal Balance { get; private set; }

    public void Deposit(decimal amount) => Balance += amount;
}

internal abstract record Shape(string Name);

internal sealed record Circle(string Name, double Radius) : Shape(Name);

internal record Rectangle(string Name, double Width, double Height) : Shape(Name);

internal sealed record Square(string Name, double Side) : Rectangle(Name, Side, Side);

internal interface IAnimal
{
    string Sound();
}

internal class Animal : IAnimal
{
    public string Name { get; set; } = "";

    public virtual string Sound() => "...";
}

internal sealed class Dog : Animal
{
    private readonly int _tricks;

    public Dog(int tricks) => _tricks = tricks;

    public int Tricks => _tricks;

    public override string Sound() => "woof";
}

internal sealed class Node
{
    public int Value { get; set; }

    public Node? Next { get; set; }

    public List<Node> Children { get; } = [];
}

internal readonly struct Measurement(double value, string unit)
{
    private readonly double _value = value;
    private readonly string _unit = unit;

    public override string ToString() => $"{_value} {_unit}";
}

internal sealed class EveryDayTypes
{
    public DateOnly Day { get; set; }

    public TimeOnly Time { get; set; }

    public DateTimeOffset At { get; set; }

    public TimeSpan Span { get; set; }

    public Guid Id { get; set; }

    public Uri? Link { get; set; }

    public Version? Release { get; set; }

    public BigInteger Big { get; set; }

    public Int128 Wide { get; set; }

    public UInt128 WideUnsigned { get; set; }

    public Half Small { get; set; }

    public ImmutableArray<int> Numbers { get; set; }

    public ImmutableList<string> Names { get; set; } = [];

    public ImmutableDictionary<string, int> Counts { get; set; } = ImmutableDictionary<string, int>.Empty;

    public ReadOnlyMemory<byte> Bytes { get; set; }

    public DayOfWeek? Weekday { get; set; }

    public int[,] Grid { get; set; } = new int[0, 0];

    public ReadOnlyMemory<double> Doubles { get; set; }

    public (int X, long Y)[] Pairs { get; set; } = [];

    public DateOnly?[] MaybeDays { get; set; } = [];
}

internal sealed record Box<T>(T Value);

internal sealed class HoldsAStream
{
    public Stream? Data { get; set; }
}

internal sealed class WithEvent
{
    public event EventHandler? Changed;

    public void Raise() => Changed?.Invoke(this, EventArgs.Empty);
}

internal sealed class MyList : List<int>
{
}

internal sealed class Bag
{
    public object? Anything { get; set; }

    public IReadOnlyList<Shape> Shapes { get; set; } = [];

    public Dictionary<string, Animal> Pets { get; set; } = [];
}
#pragma warning restore CA1852, SA1402, SA1649, CA1812, CA1051, IDE0032, CA1805, CA1819
