using System.Collections;
using System.Globalization;
using System.Reflection;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// Finds where a part that could not be sent sits inside the value that was given: <c>people[3].Address.Owner</c>.
/// Runs only after a failure, walking the value the way it was being written (fields of the application's types,
/// elements of collections, dictionary values by key), without recursion, so a chain of any length is walked safely.
/// </summary>
internal static class ValuePath
{
    private const int MaxVisited = 200_000;

    /// <summary>
    /// The path from <paramref name="root"/> to <paramref name="offender"/>, starting with <paramref name="rootName"/>;
    /// just the root's name when the offender is the root, unknown, or not found.
    /// </summary>
    public static string Find(string rootName, object? root, object? offender)
    {
        if (offender is null || root is null || ReferenceEquals(root, offender))
        {
            return rootName;
        }

        var nodes = new List<(object Value, int Parent, string Segment)> { (root, -1, rootName) };
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { root };
        var pending = new Stack<int>();
        pending.Push(0);
        while (pending.Count > 0 && nodes.Count < MaxVisited)
        {
            int index = pending.Pop();
            foreach ((object child, string segment) in Children(nodes[index].Value))
            {
                if (!seen.Add(child))
                {
                    continue;
                }

                nodes.Add((child, index, segment));
                if (ReferenceEquals(child, offender))
                {
                    return Join(nodes, nodes.Count - 1);
                }

                pending.Push(nodes.Count - 1);
            }
        }

        return rootName;
    }

    /// <summary>"at people[3].Address: why", or just "why" when the part at fault is the value itself.</summary>
    public static string Explain(string rootName, object? root, UnsendableValueException failure)
    {
        string path = Find(rootName, root, failure.Offender);
        return path == rootName ? failure.Reason : $"at {path}: {failure.Reason}";
    }

    private static string Join(List<(object Value, int Parent, string Segment)> nodes, int last)
    {
        var segments = new List<string>();
        for (int i = last; i >= 0; i = nodes[i].Parent)
        {
            segments.Add(nodes[i].Segment);
        }

        segments.Reverse();
        if (segments.Count > 12)
        {
            int levels = segments.Count - 1;
            segments = [.. segments.Take(7), "…", .. segments.TakeLast(3), $" ({levels:N0} levels down)"];
        }

        return string.Concat(segments);
    }

    private static IEnumerable<(object Child, string Segment)> Children(object value)
    {
        if (value is string)
        {
            yield break;
        }

        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                if (entry.Value is not null)
                {
                    yield return (entry.Value, $"[{Key(entry.Key)}]");
                }
            }

            yield break;
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                if (item is not null)
                {
                    yield return (item, string.Create(CultureInfo.InvariantCulture, $"[{i}]"));
                }

                i++;
            }

            yield break;
        }

        Type type = value.GetType();
        if (!GraphResolver.HasLayout(type))
        {
            yield break;
        }

        foreach (FieldInfo field in TypeLayout.CopiedFields(type))
        {
            if (!field.FieldType.IsPrimitive && field.GetValue(value) is { } child)
            {
                yield return (child, "." + TypeLayout.MemberName(field));
            }
        }
    }

    private static string Key(object key) => key is string text ? $"\"{text}\"" : Convert.ToString(key, CultureInfo.InvariantCulture) ?? "?";
}
