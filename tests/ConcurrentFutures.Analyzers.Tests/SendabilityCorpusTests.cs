using System.Reflection;
using ConcurrentFutures.Analyzers.Tests.Corpus;
using ConcurrentFutures.Remote;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConcurrentFutures.Analyzers.Tests;

/// <summary>
/// One corpus of type shapes (Corpus/SendabilityCorpus.cs, 90 cases) judged by the analyzer's rules (on the corpus
/// compiled by Roslyn) and by the run-time check (on the same types compiled into this assembly): the verdicts must be
/// the same, so a build warning and an ArgumentException at the call always agree.
/// </summary>
public class SendabilityCorpusTests
{
    [Fact]
    public void TheAnalyzerAndTheRunTimeCheck_JudgeEveryShapeAlike()
    {
        using Stream resource = typeof(SendabilityCorpusTests).Assembly.GetManifestResourceStream("SendabilityCorpus.cs")!;
        string source = new StreamReader(resource).ReadToEnd();
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Corpus",
            [CSharpSyntaxTree.ParseText(source)],
            AnalyzerTest.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var rules = new SendabilityRules(compilation);

        IFieldSymbol[] symbols = [.. compilation.GetTypeByMetadataName(typeof(Shapes).FullName!)!.GetMembers().OfType<IFieldSymbol>()];
        FieldInfo[] fields = [.. typeof(Shapes).GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.MetadataToken)];
        Assert.True(fields.Length >= 60, "the corpus has at least 60 shapes");
        Assert.Equal(fields.Select(f => f.Name), symbols.Select(s => s.Name));

        var disagreements = new List<string>();
        int refused = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            string? atRunTime = Sendability.Check(fields[i].FieldType);
            string? atBuild = rules.Check(symbols[i].Type);
            refused += atRunTime is null ? 0 : 1;
            if ((atRunTime is null) != (atBuild is null))
            {
                disagreements.Add($"{fields[i].Name} ({symbols[i].Type}): run time {atRunTime ?? "sendable"}; analyzer {atBuild ?? "sendable"}");
            }
        }

        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements));
        Assert.InRange(refused, 20, fields.Length - 20); // both kinds of verdict are well represented
    }
}
