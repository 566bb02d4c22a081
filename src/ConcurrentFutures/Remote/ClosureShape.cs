using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using ConcurrentFutures.Remote.Graph;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// The fields of a compiler-generated closure class (a lambda's captured variables), in a fixed order, and how to
/// copy them: values by their declared types, enclosing closures recursively. Both processes derive the same shape
/// from the same type, so only the values travel.
/// </summary>
internal sealed class ClosureShape
{
    /// <summary>
    /// Shapes by closure class, then lambda. Not keyed by a tuple: a dictionary of tuples is an instantiation no
    /// precompiled image holds, which a new worker compiled (11 methods) for its first lambda.
    /// </summary>
    private static readonly ConcurrentDictionary<Type, ConcurrentDictionary<MethodInfo, ClosureShape>> s_shapes = new();

    private readonly FieldInfo[] _fields;

    /// <summary>Per field: the shape of a nested closure (captures of an outer scope), or null for a plain value.</summary>
    private readonly ClosureShape?[] _nested;

    /// <summary>Keeps only the fields the lambda uses (see <see cref="CapturedFieldScanner"/>), in metadata order.</summary>
    private ClosureShape(Type type, HashSet<FieldInfo> used)
    {
        ClosureType = type;
        var fields = new List<FieldInfo>();
        var nested = new List<ClosureShape?>();
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken))
        {
            ClosureShape? inner = IsClosureType(field.FieldType) ? new ClosureShape(field.FieldType, used) : null;
            if (inner is { _fields.Length: > 0 } || (inner is null && used.Contains(field)))
            {
                fields.Add(field);
                nested.Add(inner);
            }
        }

        _fields = [.. fields];
        _nested = [.. nested];
    }

    /// <summary>The compiler-generated class.</summary>
    public Type ClosureType { get; }

    /// <summary>True for the classes C# generates for lambdas: <c>&lt;&gt;c</c> (no captures) and <c>&lt;&gt;c__DisplayClass…</c>.</summary>
    public static bool IsClosureType(Type type) =>
        type.IsClass && type.Name.StartsWith("<>c", StringComparison.Ordinal) && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>The shape of <paramref name="closureType"/> as used by <paramref name="method"/> (a lambda defined on it).</summary>
    public static ClosureShape For(MethodInfo method, Type closureType)
    {
        ConcurrentDictionary<MethodInfo, ClosureShape> byMethod = s_shapes.GetOrAdd(closureType, static _ => new());
        return byMethod.TryGetValue(method, out ClosureShape? shape)
            ? shape
            : byMethod.GetOrAdd(method, new ClosureShape(closureType, CapturedFieldScanner.UsedClosureFields(method)));
    }

    /// <summary>The name a user knows a captured field by: the variable name, or <c>this</c>.</summary>
    public static string CapturedName(FieldInfo field) => field.Name switch
    {
        "<>4__this" => "this",
        _ when field.Name.StartsWith('<') && field.Name.IndexOf('>', StringComparison.Ordinal) is int end and > 1 => field.Name[1..end],
        _ => field.Name,
    };

    /// <summary>Checks every captured variable's declared type; returns the first problem, naming the variable.</summary>
    public string? CheckTypes()
    {
        for (int i = 0; i < _fields.Length; i++)
        {
            string? reason = _nested[i] is { } nested ? nested.CheckTypes() : CheckField(_fields[i]);
            if (reason is not null)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the captured values (their declared types were checked by <see cref="CheckTypes"/>); throws
    /// <see cref="ArgumentException"/> naming a variable whose value cannot be sent, and where inside it.
    /// </summary>
    public void Write(ref MessagePackWriter writer, object closure)
    {
        writer.WriteArrayHeader(_fields.Length);
        using GraphSession.Scope graph = GraphSession.BeginShared(); // the captures are one graph, nested closures included
        for (int i = 0; i < _fields.Length; i++)
        {
            object? value = _fields[i].GetValue(closure);
            if (_nested[i] is { } nested)
            {
                if (value is null)
                {
                    writer.WriteNil();
                }
                else
                {
                    nested.Write(ref writer, value);
                }

                continue;
            }

            try
            {
                PayloadSerializer.Write(ref writer, _fields[i].FieldType, value);
            }
            catch (Exception exception) when (PayloadSerializer.Unsendable(exception) is { } failure)
            {
                string name = CapturedName(_fields[i]);
                throw FunctionReference.NotSendable($"The lambda captures '{name}', which cannot be sent to another process: {ValuePath.Explain(name, value, failure)}.");
            }
        }
    }

    /// <summary>Recreates a closure instance with the captured values.</summary>
    public object Read(ref MessagePackReader reader)
    {
        object closure = RuntimeHelpers.GetUninitializedObject(ClosureType);
        using GraphSession.Scope graph = GraphSession.BeginShared(); // as the captures were written: one graph
        int count = reader.ReadArrayHeader();
        if (count != _fields.Length)
        {
            throw new MessagePackSerializationException($"Closure {ClosureType} has {_fields.Length} fields but {count} values were sent.");
        }

        for (int i = 0; i < _fields.Length; i++)
        {
            object? value = _nested[i] is { } nested
                ? (reader.TryReadNil() ? null : nested.Read(ref reader))
                : PayloadSerializer.Read(ref reader, _fields[i].FieldType);
            _fields[i].SetValue(closure, value);
        }

        return closure;
    }

    private static string? CheckField(FieldInfo field)
    {
        string? reason = Sendability.Check(field.FieldType);
        return reason is null ? null : $"The lambda captures '{CapturedName(field)}', which cannot be sent to another process: {reason}.";
    }
}
