using ConcurrentFutures.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace ConcurrentFutures.Analyzers.Tests;

/// <summary>
/// Runs <see cref="SendToProcessAnalyzer"/> over a snippet compiled against this test's own runtime and the real
/// ConcurrentFutures assembly (no reference packs are downloaded).
/// </summary>
internal static class AnalyzerTest
{
    /// <summary>This runtime's assemblies and ConcurrentFutures with MessagePack: what test compilations reference.</summary>
    public static readonly MetadataReference[] References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator)
        .Where(path => Path.GetDirectoryName(path) == Path.GetDirectoryName(typeof(object).Assembly.Location)
            || Path.GetFileName(path) is "ConcurrentFutures.dll" or "MessagePack.dll" or "MessagePack.Annotations.dll")
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToArray();

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<SendToProcessAnalyzer, DefaultVerifier>
        {
            TestCode = """
                using System;
                using System.IO;
                using System.Collections.Generic;
                using ConcurrentFutures;
                using ConcurrentFutures.Multiprocessing;

                """ + source,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(References);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);
}
