using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>
/// A code fix test: verifies the diagnostics, applies the fix one diagnostic at a time until none is
/// left to fix and compares the text exactly, checks that the fixed code compiles with no new
/// errors, then runs Fix All in document, project and solution scope and compares again.
/// </summary>
public sealed class CodeFixTest<TAnalyzer, TCodeFix> : AnalyzerTest<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>The expected sources once everything is fixed; markup marks diagnostics that remain.</summary>
    public List<string> FixedSources { get; } = new();

    public List<string> OtherProjectFixedSources { get; } = new();

    /// <summary>Which of several offered fixes to apply; the first one when null.</summary>
    public string? CodeActionEquivalenceKey { get; set; }

    /// <summary>No fix is offered for the diagnostics: the fixed sources equal the sources (and may be left out).</summary>
    public bool ExpectNoFix { get; set; }

    private static readonly TCodeFix s_fix = new();

    public override async Task RunAsync()
    {
        await base.RunAsync();

        var state = Prepare(Sources, OtherProjectSources);
        var fixedState = ExpectNoFix && FixedSources.Count == 0
            ? Prepare(Sources, OtherProjectSources)
            : Prepare(FixedSources, OtherProjectFixedSources);
        var expectedTexts = fixedState.Documents.Select(d => d.Source).ToList();
        var originalErrors = await CompilerErrorsAsync(state.Solution);

        var fixedOneByOne = await FixOneByOneAsync(state.Solution);
        await AssertTextsAsync(fixedOneByOne, state, expectedTexts, "after applying the fix to each diagnostic");
        await AssertNoNewErrorsAsync(fixedOneByOne, originalErrors);
        // The diagnostics still marked in the fixed sources, located in the fixed solution's documents.
        var remaining = state with
        {
            Solution = fixedOneByOne,
            Documents = state.Documents.Select((d, i) => d with { Spans = fixedState.Documents[i].Spans }).ToList(),
        };
        await VerifyDiagnosticsAsync(fixedOneByOne, ExpectedFrom(remaining, includeExplicit: false), checkCompilerErrors: false);

        if (ExpectNoFix || s_fix.GetFixAllProvider() is null)
            return;
        foreach (var scope in new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution })
        {
            var (fixedAll, inScope) = await FixAllAsync(state, scope);
            var expectedInScope = state.Documents.Select((d, i) => inScope.Contains(d.Id) ? expectedTexts[i] : d.Source).ToList();
            await AssertTextsAsync(fixedAll, state, expectedInScope, $"after Fix All in {scope} scope");
            await AssertNoNewErrorsAsync(fixedAll, originalErrors);
        }
    }

    private async Task<ImmutableArray<Diagnostic>> FixableDiagnosticsAsync(Solution solution, IEnumerable<Project>? projects = null)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var project in projects ?? solution.Projects)
        {
            var compilation = (await project.GetCompilationAsync())!;
            var found = await AnalyzerRunner.RunAsBuildAsync(compilation, ImmutableArray.Create(Analyzer), project.AnalyzerOptions);
            diagnostics.AddRange(found.Where(d => s_fix.FixableDiagnosticIds.Contains(d.Id)));
        }
        return diagnostics.ToImmutable();
    }

    private async Task<CodeAction?> GetActionAsync(Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await s_fix.RegisterCodeFixesAsync(context);
        return CodeActionEquivalenceKey is null ? actions.FirstOrDefault() : actions.FirstOrDefault(a => a.EquivalenceKey == CodeActionEquivalenceKey);
    }

    private async Task<Solution> FixOneByOneAsync(Solution solution)
    {
        var attempted = 0;
        var diagnostics = await FixableDiagnosticsAsync(solution);
        var limit = diagnostics.Length + 1;
        while (attempted++ < limit)
        {
            CodeAction? action = null;
            foreach (var diagnostic in diagnostics)
            {
                var document = solution.GetDocument(diagnostic.Location.SourceTree)!;
                action = await GetActionAsync(document, diagnostic);
                if (action is not null)
                    break;
            }

            if (action is null)
                return solution;
            if (ExpectNoFix)
                throw new Xunit.Sdk.XunitException($"A fix was offered ('{action.Title}') where none was expected.");
            solution = await ApplyAsync(action);
            diagnostics = await FixableDiagnosticsAsync(solution);
        }
        throw new Xunit.Sdk.XunitException("The fix did not converge: diagnostics remain fixable after every one was fixed once.");
    }

    private async Task<(Solution Solution, HashSet<DocumentId> InScope)> FixAllAsync(PreparedSolution state, FixAllScope scope)
    {
        var solution = state.Solution;
        var diagnostics = await FixableDiagnosticsAsync(solution);
        var inScope = new HashSet<DocumentId>();
        if (diagnostics.IsEmpty)
            return (solution, inScope);

        var first = diagnostics[0];
        var document = solution.GetDocument(first.Location.SourceTree)!;
        var action = await GetActionAsync(document, first);
        if (action is null)
            return (solution, inScope);

        var provider = new TestDiagnosticProvider(this);
        var ids = s_fix.FixableDiagnosticIds;
        var context = scope switch
        {
            FixAllScope.Document => new FixAllContext(document, s_fix, scope, action.EquivalenceKey, ids, provider, CancellationToken.None),
            _ => new FixAllContext(document.Project, s_fix, scope, action.EquivalenceKey, ids, provider, CancellationToken.None),
        };
        inScope.UnionWith(scope switch
        {
            FixAllScope.Document => new[] { document.Id },
            FixAllScope.Project => document.Project.DocumentIds,
            _ => solution.Projects.SelectMany(p => p.DocumentIds),
        });

        var fixAll = await s_fix.GetFixAllProvider()!.GetFixAsync(context);
        if (fixAll is null)
            throw new Xunit.Sdk.XunitException($"Fix All in {scope} scope produced no action.");
        return (await ApplyAsync(fixAll), inScope);
    }

    private static async Task<Solution> ApplyAsync(CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = operations.OfType<ApplyChangesOperation>().Single();
        return apply.ChangedSolution;
    }

    private static async Task AssertTextsAsync(Solution solution, PreparedSolution state, List<string> expectedTexts, string when)
    {
        if (expectedTexts.Count != state.Documents.Count)
            throw new InvalidOperationException("Give one fixed source per source.");
        for (var i = 0; i < state.Documents.Count; i++)
        {
            var actual = (await solution.GetDocument(state.Documents[i].Id)!.GetTextAsync()).ToString();
            if (actual != expectedTexts[i])
                throw new Xunit.Sdk.XunitException($"Document {i} {when} differs.\n--- expected ---\n{expectedTexts[i]}\n--- actual ---\n{actual}\n---");
        }
    }

    private static async Task<List<string>> CompilerErrorsAsync(Solution solution)
    {
        var errors = new List<string>();
        foreach (var project in solution.Projects)
        {
            var compilation = (await project.GetCompilationAsync())!;
            errors.AddRange(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return errors;
    }

    private static async Task AssertNoNewErrorsAsync(Solution solution, List<string> originalErrors)
    {
        var remaining = originalErrors.ToList();
        var added = new List<string>();
        foreach (var error in await CompilerErrorsAsync(solution))
        {
            if (!remaining.Remove(error))
                added.Add(error);
        }
        if (added.Count > 0)
            throw new Xunit.Sdk.XunitException("The fixed code has new compiler errors:\n" + string.Join("\n", added));
    }

    private sealed class TestDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        private readonly CodeFixTest<TAnalyzer, TCodeFix> _test;

        public TestDiagnosticProvider(CodeFixTest<TAnalyzer, TCodeFix> test) => _test = test;

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return (await _test.FixableDiagnosticsAsync(document.Project.Solution, new[] { document.Project })).Where(d => d.Location.SourceTree == tree);
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => await _test.FixableDiagnosticsAsync(project.Solution, new[] { project });

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => GetProjectDiagnosticsAsync(project, cancellationToken);
    }
}
