using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConcurrentFutures.Orleans.Tests.Readme;

/// <summary>
/// Every C# block in the README compiles against the library as built, so the README cannot drift from the API. A
/// block is compiled as a program's top-level statements; a fragment that uses what the text around it set up (an
/// <c>executor</c>, <c>numbers</c>) gets it from an HTML comment just above the block, invisible to readers:
/// <c>&lt;!-- compiled after: long[] numbers = [2, 3]; --&gt;</c>.
/// </summary>
public partial class ReadmeExamplesTests
{
    /// <summary>The implicit usings of an ASP.NET Core app (a superset of a console app's); a block adds its own.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        global using ConcurrentFutures;
        global using Spectre.Console;
        [assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

        /// <summary>The work the README's examples send, as an app would declare it.</summary>
        public static class Primes
        {
            public static bool IsPrime(long n) => n > 1 && Enumerable.Range(2, (int)Math.Sqrt(n) - 1).All(d => n % d != 0);
        }
        """;

    public static TheoryData<int> Blocks()
    {
        var data = new TheoryData<int>();
        foreach (ReadmeBlock block in ReadBlocks())
        {
            data.Add(block.Line);
        }

        return data;
    }

    [Fact]
    public void TheReadme_HasCSharpBlocks_AndEachIsFound()
    {
        Assert.True(ReadBlocks().Count >= 5, "the README's ```csharp blocks were not found");
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void TheCSharpBlockAtLine_Compiles(int line)
    {
        ReadmeBlock block = ReadBlocks().Single(b => b.Line == line);
        var usings = new StringBuilder();
        var statements = new StringBuilder();
        foreach (string text in block.Code.Split('\n'))
        {
            (text.StartsWith("using ", StringComparison.Ordinal) && text.TrimEnd().EndsWith(';') && !text.Contains('(', StringComparison.Ordinal) && !text.Contains(" var ", StringComparison.Ordinal) ? usings : statements).AppendLine(text);
        }

        string program = $"{usings}{block.CompiledAfter}\n{statements}";
        CSharpCompilation compilation = CSharpCompilation.Create(
            $"ReadmeBlockAt{line}",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, path: "Implicit.cs"), CSharpSyntaxTree.ParseText(program, path: $"README.md@{line}")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        Diagnostic[] errors = [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.Length == 0, $"The C# block at README.md line {line} does not compile:\n{string.Join('\n', errors.Select(e => e.ToString()))}\n--- compiled as ---\n{program}");
    }

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .DistinctBy(Path.GetFileName)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    private static List<ReadmeBlock> ReadBlocks()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        var blocks = new List<ReadmeBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            string compiledAfter = string.Empty;
            if (i > 0 && CompiledAfter().Match(lines[i - 1]) is { Success: true } context)
            {
                compiledAfter = context.Groups[1].Value;
            }

            int start = i + 1;
            int end = Array.FindIndex(lines, start, l => l.Trim() == "```");
            Assert.True(end > 0, $"the ```csharp block at README.md line {start} is not closed");
            blocks.Add(new ReadmeBlock(start, string.Join('\n', lines[start..end]), compiledAfter));
            i = end;
        }

        return blocks;
    }

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

    [GeneratedRegex(@"^<!-- compiled after: (.*) -->\s*$")]
    private static partial Regex CompiledAfter();

    private sealed record ReadmeBlock(int Line, string Code, string CompiledAfter);
}
