using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// The application's own assemblies: the projects of its .deps.json (not its packages, not the framework) and the entry
/// assembly. A value whose runtime type differs from its declared type travels with its type's name only if the type
/// is defined here, and a reader looks a name up only if its assembly is here — so a frame can never make this process
/// load or create a type of the framework or of a package.
/// </summary>
internal static class ApplicationAssemblies
{
    private static readonly Lazy<HashSet<string>> s_names = new(Discover);

    /// <summary>True when <paramref name="assembly"/> is one of the application's own.</summary>
    public static bool Contains(Assembly assembly) => assembly.GetName().Name is { } name && Contains(name);

    /// <summary>True when an assembly of that simple name is one of the application's own (checked before loading it).</summary>
    public static bool Contains(string assemblyName) => s_names.Value.Contains(assemblyName);

    private static HashSet<string> Discover()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (Assembly.GetEntryAssembly()?.GetName().Name is { } entry && !IsFramework(entry))
        {
            names.Add(entry);
        }

        string runtimeRoot = Path.GetDirectoryName(Path.GetDirectoryName(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/')))!;
        foreach (string depsFile in (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!depsFile.StartsWith(runtimeRoot, StringComparison.Ordinal) && File.Exists(depsFile))
            {
                AddProjects(depsFile, names);
            }
        }

        return names;
    }

    /// <summary>Adds the libraries of type "project" (the app and the projects it references).</summary>
    private static void AddProjects(string depsFile, HashSet<string> names)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(depsFile));
            if (!document.RootElement.TryGetProperty("libraries", out JsonElement libraries))
            {
                return;
            }

            foreach (JsonProperty library in libraries.EnumerateObject())
            {
                if (library.Value.TryGetProperty("type", out JsonElement type) && type.ValueEquals("project"))
                {
                    string name = library.Name.Split('/')[0];
                    if (!IsFramework(name))
                    {
                        names.Add(name);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // An unreadable deps file names no project: only the entry assembly counts.
        }
        catch (IOException)
        {
        }
    }

    private static bool IsFramework(string name) =>
        name.Equals("System", StringComparison.OrdinalIgnoreCase) || name.StartsWith("System.", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Microsoft.", StringComparison.OrdinalIgnoreCase) || name.Equals("mscorlib", StringComparison.OrdinalIgnoreCase)
        || name.Equals("netstandard", StringComparison.OrdinalIgnoreCase) || name.StartsWith("testhost", StringComparison.OrdinalIgnoreCase);
}
