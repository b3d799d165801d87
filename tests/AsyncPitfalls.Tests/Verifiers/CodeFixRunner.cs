using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>Applies a fix the way the IDE does (each offered action alone, Fix All of each) where no expected text is written.</summary>
public static class CodeFixRunner
{
    /// <summary>
    /// Every action <paramref name="fix"/> offers on the solution of <paramref name="project"/> (which compiles), applied
    /// alone, and Fix All of each equivalence key in solution scope, leaves code with no compiler error; and after
    /// Fix All, no diagnostic for which the same fix is still offered.
    /// </summary>
    public static async Task AssertFixesCompileAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers, CodeFixProvider fix, CancellationToken cancellationToken)
    {
        var solution = project.Solution;
        var offered = await OfferedFixesAsync(solution, analyzers, fix, cancellationToken);
        foreach (var (diagnostic, action) in offered)
            await AssertCompilesAsync(await ApplyAsync(action, solution, cancellationToken), $"fix '{action.Title}' of {AnalyzerRunner.Describe(diagnostic)}", cancellationToken);

        var fixAll = fix.GetFixAllProvider();
        if (fixAll is null)
            return;
        foreach (var first in offered.GroupBy(o => o.Action.EquivalenceKey).Select(g => g.First()))
        {
            var key = first.Action.EquivalenceKey;
            var document = solution.GetDocument(first.Diagnostic.Location.SourceTree)!;
            var diagnostics = offered.Where(o => o.Action.EquivalenceKey == key).Select(o => o.Diagnostic).Distinct().ToImmutableArray();
            var context = new FixAllContext(document, fix, FixAllScope.Solution, key, fix.FixableDiagnosticIds, new Diagnostics(diagnostics), cancellationToken);
            if (await fixAll.GetFixAsync(context) is not { } action)
                continue;
            var fixedSolution = await ApplyAsync(action, solution, cancellationToken);
            await AssertCompilesAsync(fixedSolution, $"Fix All of '{key}'", cancellationToken);
            var left = (await OfferedFixesAsync(fixedSolution, analyzers, fix, cancellationToken)).Where(o => o.Action.EquivalenceKey == key).ToList();
            if (left.Count > 0)
            {
                throw new Xunit.Sdk.XunitException($"After Fix All of '{key}' at {Version(project)}, the fix is still offered for:\n  "
                    + string.Join("\n  ", left.Select(o => AnalyzerRunner.Describe(o.Diagnostic))) + "\n" + await TextAsync(fixedSolution, cancellationToken));
            }
        }
    }

    /// <summary>Each diagnostic of the fix's ids in the solution, with each action the fix offers for it (this project's fixes nest none).</summary>
    private static async Task<List<(Diagnostic Diagnostic, CodeAction Action)>> OfferedFixesAsync(Solution solution, ImmutableArray<DiagnosticAnalyzer> analyzers, CodeFixProvider fix, CancellationToken cancellationToken)
    {
        var offered = new List<(Diagnostic, CodeAction)>();
        foreach (var project in solution.Projects)
        {
            var compilation = (await project.GetCompilationAsync(cancellationToken))!;
            foreach (var diagnostic in await AnalyzerRunner.RunAsBuildAsync(compilation, analyzers, project.AnalyzerOptions))
            {
                if (!fix.FixableDiagnosticIds.Contains(diagnostic.Id) || solution.GetDocument(diagnostic.Location.SourceTree) is not { } document)
                    continue;
                var actions = new List<CodeAction>();
                await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken));
                foreach (var action in actions)
                    offered.Add((diagnostic, action));
            }
        }
        return offered;
    }

    private static async Task<Solution> ApplyAsync(CodeAction action, Solution solution, CancellationToken cancellationToken)
    {
        var operations = await action.GetOperationsAsync(cancellationToken);
        return operations.OfType<ApplyChangesOperation>().SingleOrDefault()?.ChangedSolution ?? solution;
    }

    private static async Task AssertCompilesAsync(Solution solution, string what, CancellationToken cancellationToken)
    {
        foreach (var project in solution.Projects)
        {
            var compilation = (await project.GetCompilationAsync(cancellationToken))!;
            var errors = compilation.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                throw new Xunit.Sdk.XunitException($"The {what} does not compile at {Version(project)}:\n  "
                    + string.Join("\n  ", errors) + "\n" + await TextAsync(solution, cancellationToken));
            }
        }
    }

    private static string Version(Project project)
        => project.ParseOptions is CSharpParseOptions options ? "C# " + options.LanguageVersion.ToDisplayString() : "its language version";

    private static async Task<string> TextAsync(Solution solution, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        foreach (var document in solution.Projects.SelectMany(p => p.Documents))
            texts.Add($"// {document.Name}\n{await document.GetTextAsync(cancellationToken)}");
        return string.Join("\n", texts);
    }

    /// <summary>The diagnostics Fix All is asked to fix: those the fix was offered for, by document and project.</summary>
    private sealed class Diagnostics : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public Diagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return _diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
        {
            var all = new List<Diagnostic>();
            foreach (var document in project.Documents)
                all.AddRange(await GetDocumentDiagnosticsAsync(document, cancellationToken));
            return all;
        }
    }
}
