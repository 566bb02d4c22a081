// The corpus of type shapes that the analyzer's rules and the run-time check must judge alike. Compiled into the test
// assembly (for the run-time check, through reflection) and embedded as text (compiled again with Roslyn for the
// analyzer). Each field of Shapes is one case; add cases as fields.
#pragma warning disable CS0169, CS0414, CS0649, CS0067, CA1051, CA1823, CA1812, CA1852, CA1034, CA1001, CA1063, CA1816, CA1711, CA2237, CA1032, CA1064, CA1819, CA2227, CA1002, CA1003, CA1708, CA1720, CA1716, IDE0051, IDE0052, SA1401, SA1402, SA1649, S1144
#nullable enable
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Numerics;
using System.Threading;
using System.Threading.Tasks;

namespace ConcurrentFutures.Analyzers.Tests.Corpus;

public enum Color { Red, Green }

public record Person(string Name, int Age);

public class PrivateSetter { public decimal Balance { get; private set; } }

public class PrivateStream { private readonly Stream _log = Stream.Null; }

public struct PrivateStruct { private int _x; private string _y; }

public class WithEvent { public event EventHandler? Changed; }

public class MyList : List<int> { }

public class MyException : Exception { }

public abstract class AbstractBase { public int Id; }

public interface IShape { double Area(); }

public sealed class Disposable : IDisposable { public void Dispose() { } }

public class Box<T> { public T? Value; }

public class IgnoredStream
{
    [NonSerialized] private Stream? _cache;
    [MessagePack.IgnoreMember] public Stream? Data { get; set; }
    public int Kept;
}

[MessagePack.MessagePackObject]
public class OwnContract { [MessagePack.Key(0)] public int X; }

public class Node { public Node? Next; public List<Node> Children = new(); }

public class HoldsAbstract { public AbstractBase? Item; public IShape? Shape; }

public class Outer { private sealed class Hidden { public int X; } private Hidden? _hidden; }

public record Drawing(List<IShape> Shapes, Dictionary<string, Person> People);

public class HoldsObject { public object? Anything; }

public class HoldsFunc { public Func<int>? Callback; }

public class HoldsLazy { public Lazy<int>? Later; }

public class HoldsStreams { public Dictionary<string, Stream> Files = new(); }

public class InitOnly { public string Name { get; init; } = ""; public int[] Scores { get; init; } = []; }

public readonly record struct Money(decimal Amount, string Currency);

public class BaseWithStream { private Stream? _s; }

public class DerivedFromStreamHolder : BaseWithStream { public int X; }

public class StaticStream { private static Stream? s_shared; public int X; }

public class HoldsQueueHandle { public ConcurrentFutures.Multiprocessing.ProcessQueue<int>? Queue; }

public class HoldsExecutor { public ConcurrentFutures.Executor? Pool; }

public class HoldsFuture { public ConcurrentFutures.Future<int>? Pending; }

public class HoldsToken { public CancellationToken Token; }

public class Generic2<TKey, TValue> where TKey : notnull { public Dictionary<TKey, List<TValue>> Map = new(); }

public class HoldsTask { public Task<int>? Work; }

public class Shapes
{
    public int F01;
    public string? F02;
    public decimal F03;
    public DateTime F04;
    public DateOnly F05;
    public TimeOnly F06;
    public Half F07;
    public Int128 F08;
    public UInt128 F09;
    public BigInteger F10;
    public Uri? F11;
    public Version? F12;
    public Guid F13;
    public Color F14;
    public DayOfWeek F15;
    public object? F16;
    public int[]? F17;
    public int[,]? F18;
    public int[,,,,]? F19;
    public List<int>? F20;
    public List<Stream>? F21;
    public Dictionary<string, List<int>>? F22;
    public Dictionary<string, Task>? F23;
    public IReadOnlyList<Person>? F24;
    public IEnumerable<int>? F25;
    public ISet<string>? F26;
    public ImmutableArray<int> F27;
    public ImmutableDictionary<string, Stream>? F28;
    public KeyValuePair<int, string> F29;
    public (int, string) F30;
    public Tuple<int, Stream>? F31;
    public int? F32;
    public CancellationToken? F33;
    public PrivateStruct? F34;
    public ReadOnlyMemory<byte> F35;
    public Memory<int> F36;
    public Task? F37;
    public Task<int>? F38;
    public ValueTask<int> F39;
    public Func<int>? F40;
    public Action? F41;
    public EventHandler? F42;
    public Stream? F43;
    public MemoryStream? F44;
    public Thread? F45;
    public CancellationToken F46;
    public CancellationTokenSource? F47;
    public Lazy<int>? F48;
    public Exception? F49;
    public Type? F50;
    public System.Text.StringBuilder? F51;
    public System.Text.RegularExpressions.Regex? F52;
    public Random? F53;
    public nint F54;
    public Person? F55;
    public PrivateSetter? F56;
    public PrivateStream? F57;
    public PrivateStruct F58;
    public WithEvent? F59;
    public MyList? F60;
    public MyException? F61;
    public AbstractBase? F62;
    public IShape? F63;
    public Disposable? F64;
    public Box<int>? F65;
    public Box<Stream>? F66;
    public IgnoredStream? F67;
    public OwnContract? F68;
    public Node? F69;
    public HoldsAbstract? F70;
    public Outer? F71;
    public Drawing? F72;
    public HoldsObject? F73;
    public HoldsFunc? F74;
    public HoldsLazy? F75;
    public HoldsStreams? F76;
    public InitOnly? F77;
    public Money F78;
    public DerivedFromStreamHolder? F79;
    public StaticStream? F80;
    public HoldsQueueHandle? F81;
    public HoldsExecutor? F82;
    public HoldsFuture? F83;
    public HoldsToken? F84;
    public Generic2<string, Person>? F85;
    public Generic2<string, Stream>? F86;
    public HoldsTask? F87;
    public List<Dictionary<string, (Person, IShape)>>? F88;
    public System.Collections.ObjectModel.ObservableCollection<Person>? F89;
    public System.Numerics.Complex F90;
}
