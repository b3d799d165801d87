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

    /// <summary>
    /// The check an editor user relies on: the analysis of each open document (what the IDE requests while
    /// typing) reports exactly what the build reports. Rules that report at compilation end are build-only.
    /// </summary>
    public static async Task AssertIdeAgreesWithBuildAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellationToken)
    {
        foreach (var each in project.Solution.Projects)
        {
            var compilation = (await each.GetCompilationAsync(cancellationToken))!;
            var build = (await RunAsBuildAsync(compilation, analyzers, each.AnalyzerOptions)).Select(Describe).ToList();
            var ide = (await RunAsIdeAsync(compilation, analyzers, each.AnalyzerOptions)).Select(Describe).ToList();
            if (!build.SequenceEqual(ide))
            {
                throw new Xunit.Sdk.XunitException(
                    "The build and the IDE (one open document) report different diagnostics; declare the test BuildOnly if the rule reports at compilation end.\n"
                    + "Build:\n  " + string.Join("\n  ", build) + "\nIDE:\n  " + string.Join("\n  ", ide));
            }
        }
    }

    /// <summary>Whole-program checks start from code that compiles: an analyzer's silence on broken code proves nothing.</summary>
    public static void AssertNoCompilerErrors(Compilation compilation, string what)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new Xunit.Sdk.XunitException($"The {what} does not compile:\n" + string.Join("\n", errors));
    }

    /// <summary>The diagnostics by which the compiler reports an analyzer that threw.</summary>
    public static bool IsAnalyzerFailure(Diagnostic diagnostic) => diagnostic.Id is "AD0001" or "AD0002";

    public static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var text = diagnostic.Location.SourceTree?.GetText().ToString(diagnostic.Location.SourceSpan);
        return $"{diagnostic.Id} {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}) '{text}': {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static void ThrowOnFailures(ConcurrentQueue<string> exceptions, ImmutableArray<Diagnostic> diagnostics)
    {
        var failures = exceptions.Concat(diagnostics.Where(IsAnalyzerFailure).Select(d => d.ToString())).ToList();
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
