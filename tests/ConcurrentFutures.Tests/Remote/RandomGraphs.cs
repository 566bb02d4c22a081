using System.Collections;
using System.Reflection;
using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Remote;

#pragma warning disable CA1051, CA1852, SA1402, SA1649, CA2227, CA1819

/// <summary>The types random graphs are made of: public and internal, three levels of inheritance, private setters and fields.</summary>
public abstract class GBase
{
    public int Id;

    public GBase? Link { get; set; }

    public List<GBase> Items { get; } = [];
}

internal class GMid : GBase
{
    private string? _note;

    public string? Note { get => _note; set => _note = value; }

    public decimal Amount { get; private set; }

    public Dictionary<string, GBase> ByName { get; set; } = [];

    public void SetAmount(decimal amount) => Amount = amount;
}

internal sealed class GLeaf(int? maybe) : GMid
{
    private readonly int? _maybe = maybe;

    public int? Maybe => _maybe;

    public object? Any { get; set; }

    public GPoint Where { get; set; }

    public DateOnly Day { get; set; }
}

public class GPublic : GBase
{
    public double[]? Values { get; set; }

    internal GPoint? Corner { get; set; }
}

internal readonly record struct GPoint(int X, int Y);

/// <summary>Builds random graphs (shared references, cycles, nulls, boxed values) and compares copies with originals.</summary>
internal static class RandomGraphs
{
    /// <summary>Cases per property: 1,000 in CI; set CONCURRENTFUTURES_PROPERTY_CASES (e.g. 100000) for a longer hunt.</summary>
    public static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("CONCURRENTFUTURES_PROPERTY_CASES"), out int cases) && cases > 0 ? cases : 1_000;

    public static GBase Build(int seed)
    {
        var random = new Random(seed);
        int count = random.Next(1, 13);
        var nodes = new GBase[count];
        for (int i = 0; i < count; i++)
        {
            nodes[i] = random.Next(3) switch
            {
                0 => new GMid { Note = random.Next(3) == 0 ? null : $"note {random.Next()}" },
                1 => new GLeaf(random.Next(2) == 0 ? null : random.Next()) { Where = new GPoint(random.Next(), random.Next()), Day = DateOnly.FromDayNumber(random.Next(0, 3_000_000)) },
                _ => new GPublic { Values = random.Next(3) == 0 ? null : [.. Enumerable.Range(0, random.Next(4)).Select(_ => random.NextDouble())], Corner = random.Next(2) == 0 ? null : new GPoint(1, random.Next()) },
            };
            nodes[i].Id = random.Next();
            if (nodes[i] is GMid mid)
            {
                mid.SetAmount(random.Next() / 100m);
            }
        }

        GBase Pick() => nodes[random.Next(count)];
        foreach (GBase node in nodes)
        {
            node.Link = random.Next(3) == 0 ? null : Pick();
            for (int k = random.Next(4); k > 0; k--)
            {
                node.Items.Add(Pick());
            }

            if (node is GMid mid)
            {
                for (int k = random.Next(3); k > 0; k--)
                {
                    mid.ByName[$"k{random.Next(5)}"] = Pick();
                }
            }

            if (node is GLeaf leaf)
            {
                leaf.Any = random.Next(6) switch
                {
                    0 => null,
                    1 => random.Next(),
                    2 => $"any {random.Next()}",
                    3 => Pick(),
                    4 => new List<int> { random.Next(), random.Next() },
                    _ => new GPoint(random.Next(), 2),
                };
            }
        }

        return nodes[0];
    }

    /// <summary>
    /// True when <paramref name="copy"/> has the shape of <paramref name="original"/>: same runtime types, equal
    /// values, and the same sharing (one copy per original object, cycles closing in the same places).
    /// </summary>
    public static bool SameGraph(object? original, object? copy, out string difference)
    {
        var mapped = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        var used = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object? A, object? B, string Path)>();
        pending.Push((original, copy, "root"));
        while (pending.Count > 0)
        {
            (object? a, object? b, string path) = pending.Pop();
            if (a is null || b is null)
            {
                if (a is not null || b is not null)
                {
                    difference = $"{path}: {a ?? "null"} vs {b ?? "null"}";
                    return false;
                }

                continue;
            }

            if (a.GetType() != b.GetType())
            {
                difference = $"{path}: {a.GetType()} vs {b.GetType()}";
                return false;
            }

            if (a is GBase)
            {
                if (mapped.TryGetValue(a, out object? earlier))
                {
                    if (!ReferenceEquals(earlier, b))
                    {
                        difference = $"{path}: a shared object arrived as two";
                        return false;
                    }

                    continue;
                }

                if (!used.Add(b))
                {
                    difference = $"{path}: two objects arrived as one";
                    return false;
                }

                mapped[a] = b;
            }

            if (a is string || a.GetType().IsPrimitive || a is decimal || a is DateOnly || a is GPoint)
            {
                if (!a.Equals(b))
                {
                    difference = $"{path}: {a} vs {b}";
                    return false;
                }
            }
            else if (a is IDictionary da)
            {
                var db = (IDictionary)b;
                if (da.Count != db.Count)
                {
                    difference = $"{path}: {da.Count} vs {db.Count} entries";
                    return false;
                }

                foreach (DictionaryEntry entry in da)
                {
                    pending.Push((entry.Value, db.Contains(entry.Key) ? db[entry.Key] : "missing key", $"{path}[{entry.Key}]"));
                }
            }
            else if (a is IEnumerable ea)
            {
                object?[] xa = [.. ea.Cast<object?>()];
                object?[] xb = [.. ((IEnumerable)b).Cast<object?>()];
                if (xa.Length != xb.Length)
                {
                    difference = $"{path}: {xa.Length} vs {xb.Length} items";
                    return false;
                }

                for (int i = 0; i < xa.Length; i++)
                {
                    pending.Push((xa[i], xb[i], $"{path}[{i}]"));
                }
            }
            else
            {
                for (Type? t = a.GetType(); t is not null && t != typeof(object); t = t.BaseType)
                {
                    foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        pending.Push((field.GetValue(a), field.GetValue(b), $"{path}.{field.Name}"));
                    }
                }
            }
        }

        difference = "";
        return true;
    }

    public static GBase Echo(GBase graph) => graph;

    /// <summary>A child that sends back every graph it receives on a queue until it gets null.</summary>
    public static void EchoQueue(ProcessQueue<GBase?> inbox, ProcessQueue<GBase?> outbox)
    {
        while (inbox.Get() is { } graph)
        {
            outbox.Put(graph);
        }
    }

    /// <summary>A child that sends back every graph it receives on a pipe until it gets null.</summary>
    public static void EchoPipe(Connection connection)
    {
        while (connection.Receive<GBase?>() is { } graph)
        {
            connection.Send(graph);
        }

        connection.Dispose();
    }
}
#pragma warning restore CA1051, CA1852, SA1402, SA1649, CA2227, CA1819
