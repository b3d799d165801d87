using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>Runs analyzers over a project the two ways a user meets them, and fails on any analyzer exception.</summary>
public static class AnalyzerRunner
{
    /// <summary>As a build does: the whole compilation, compilation-end actions included.</summary>
    public static async Task<ImmutableArray<Diagnostic>> RunAsBuildAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options)
    {
        var exceptions = new ConcurrentQueue<string>();
        var withAnalyzers = Create(compilation, analyzers, options, exceptions);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        ThrowOnFailures(exceptions, diagnostics);
        return Sort(diagnostics);
    }

    /// <summary>
    /// As the IDE does for open documents: syntax and semantic diagnostics of one document at a time
    /// (<c>GetAnalyzerSemanticDiagnosticsAsync(semanticModel, span)</c>), each with a fresh analyzer driver.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> RunAsIdeAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options)
    {
        var exceptions = new ConcurrentQueue<string>();
        var all = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var withAnalyzers = Create(compilation, analyzers, options, exceptions);
            all.AddRange(await withAnalyzers.GetAnalyzerSyntaxDiagnosticsAsync(tree, CancellationToken.None));
            var model = compilation.GetSemanticModel(tree);
            var root = await tree.GetRootAsync();
            all.AddRange(await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, root.FullSpan, CancellationToken.None));
        }

        var diagnostics = all.ToImmutable();
        ThrowOnFailures(exceptions, diagnostics);
        return Sort(diagnostics);
    }

    private static CompilationWithAnalyzers Create(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, ConcurrentQueue<string> exceptions)
        => compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            options,
            onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue($"{analyzer.GetType().Name} threw {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false));

    private static void ThrowOnFailures(ConcurrentQueue<string> exceptions, ImmutableArray<Diagnostic> diagnostics)
    {
        var failures = exceptions.Concat(diagnostics.Where(d => d.Id is "AD0001" or "AD0002").Select(d => d.ToString())).ToList();
        if (failures.Count > 0)
            throw new Xunit.Sdk.XunitException("Analyzer failure:\n" + string.Join("\n", failures));
    }

    private static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics)
        => diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>Every analyzer of the AsyncPitfalls.Analyzers assembly.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AllAnalyzers { get; } = typeof(AsyncPitfalls.DiagnosticIds).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();
}
