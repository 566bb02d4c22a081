using System.Text;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// Parent → standby worker, on its standard input: the settings of the pool that takes it (socket, token, slot…), one
/// <c>NAME=value</c> line each, ended by closing the pipe. The worker sets them as its environment variables and from
/// then on starts as any worker of that pool. Names hold no '=' and values no line break (they are paths, numbers and
/// base64 tokens); <see cref="Write"/> refuses others.
/// </summary>
internal static class StandbyAssignment
{
    public static string Write(IReadOnlyDictionary<string, string> settings)
    {
        var text = new StringBuilder();
        foreach ((string name, string value) in settings)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"The setting '{name}' cannot be handed to a standby worker: a name needs no '=' and neither a line break.", nameof(settings));
            }

            text.Append(name).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Reads settings until the input ends; empty when it ended without any (the worker is to exit).</summary>
    public static Dictionary<string, string> Read(TextReader input)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        while (input.ReadLine() is { } line)
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                settings[line[..equals]] = line[(equals + 1)..];
            }
        }

        return settings;
    }
}
