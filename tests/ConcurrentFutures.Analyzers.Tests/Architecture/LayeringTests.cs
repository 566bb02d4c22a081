using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrentFutures.Analyzers.Tests.Architecture;

/// <summary>
/// Keeps the core library's layering: a folder may use the types of the folders below it, never of one above. The
/// source of src/ConcurrentFutures is compiled here and every type it names is traced to the folder that declares it.
/// (Futures, Executors and Diagnostics share the namespace ConcurrentFutures, so folders, not namespaces, are checked.)
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The folders of src/ConcurrentFutures, lowest first.</summary>
    private static readonly string[] Layers = ["Platform", "Diagnostics", "Futures", "Executors", "Remote", "Processes", "Multiprocessing"];

    [Fact]
    public void NoFolderUsesATypeOfAFolderAboveIt()
    {
        Dictionary<string, SortedSet<string>> edges = UpEdges();
        Assert.True(edges.Count == 0, "Types used from a folder above: " + string.Join("; ", edges.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} ({string.Join(", ", e.Value.Take(4))})")));
    }

    /// <summary>The check sees an up-edge when there is one: with Multiprocessing put at the bottom, its uses of the folders below it are reported.</summary>
    [Fact]
    public void TheCheck_FindsAnUpEdge_WhenThereIsOne()
    {
        Dictionary<string, SortedSet<string>> edges = UpEdges(["Multiprocessing", "Platform", "Diagnostics", "Futures", "Executors", "Remote", "Processes"]);
        Assert.Contains("Multiprocessing -> Processes", edges.Keys);
        Assert.Contains(edges["Multiprocessing -> Processes"], e => e.Contains("uses ProcessSupport", StringComparison.Ordinal));
    }

    /// <summary>"Lower -> Upper" for every folder using a type declared in a folder above it, with the files and types involved.</summary>
    private static Dictionary<string, SortedSet<string>> UpEdges(string[]? layers = null)
    {
        layers ??= Layers;
        string root = Path.Combine(RepositoryRoot(), "src", "ConcurrentFutures");
        var trees = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), new CSharpParseOptions(LanguageVersion.Preview), path))
            .ToList();
        Assert.True(trees.Count > 50, $"only {trees.Count} source files found under {root}");
        var compilation = CSharpCompilation.Create(
            "Layering",
            trees,
            ReferencesOfThisProcess(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        var edges = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in trees)
        {
            string from = FolderOf(root, tree.FilePath, layers);
            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (SimpleNameSyntax name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                ISymbol? symbol = model.GetSymbolInfo(name).Symbol;
                INamedTypeSymbol? type = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
                type = type?.OriginalDefinition;
                while (type?.ContainingType is { } outer)
                {
                    type = outer; // a nested type belongs where its outer type is declared
                }

                if (type is null || type.DeclaringSyntaxReferences.IsEmpty)
                {
                    continue; // not ours
                }

                foreach (string to in type.DeclaringSyntaxReferences.Select(r => FolderOf(root, r.SyntaxTree.FilePath, layers)).Distinct())
                {
                    if (Array.IndexOf(layers, to) > Array.IndexOf(layers, from))
                    {
                        string edge = $"{from} -> {to}";
                        if (!edges.TryGetValue(edge, out SortedSet<string>? examples))
                        {
                            edges[edge] = examples = new SortedSet<string>(StringComparer.Ordinal);
                        }

                        examples.Add($"{Path.GetFileName(tree.FilePath)} uses {type.Name}");
                    }
                }
            }
        }

        return edges;
    }

    private static string FolderOf(string root, string path, string[] layers)
    {
        string relative = Path.GetRelativePath(root, path);
        string folder = relative.Split(Path.DirectorySeparatorChar)[0];
        Assert.True(Array.IndexOf(layers, folder) >= 0, $"{relative} is in no known layer: add its folder to Layers");
        return folder;
    }

    private static IEnumerable<MetadataReference> ReferencesOfThisProcess() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(path => !Path.GetFileName(path).StartsWith("ConcurrentFutures", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName)
            .Select(path => MetadataReference.CreateFromFile(path));

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConcurrentFutures.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ConcurrentFutures.slnx above {AppContext.BaseDirectory}.");
    }
}
