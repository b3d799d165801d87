using System;
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
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>
/// Fix All as the real clients run it, which the framework's Fix All check does not: it starts from the first
/// diagnostic that has a fix, so one diagnostic without a fix (or with only another kind of fix) never shows.
/// <list type="bullet">
/// <item><c>dotnet format analyzers</c> (its SolutionCodeFixApplier), per diagnostic id: the FIRST diagnostic of the
/// rule, in the order the analyzer driver returns them; the FIRST action the provider registers for it; that
/// action's equivalence key (null when it has none); the provider's FixAllProvider at Solution scope with that
/// key, over every diagnostic of the rule.</item>
/// <item>The IDE's Fix All: the same from whichever diagnostic the user picked, with the lightbulb's first action.</item>
/// </list>
/// Both must give one result, whatever diagnostic comes first: <see cref="ApplyAsync"/> returns the document as
/// dotnet format leaves it and fails when starting from another diagnostic gives another document, or when the
/// result has a compiler error.
/// </summary>
public static class FormatFixAll
{
    /// <param name="outputKind">A console application for top-level statements; a library by default.</param>
    public static async Task<string> ApplyAsync(DiagnosticAnalyzer analyzer, CodeFixProvider provider, string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary, CancellationToken cancellationToken = default)
    {
        var document = CreateDocument(source, outputKind);
        var id = provider.FixableDiagnosticIds.Single();
        var diagnostics = await AnalyzeAsync(document.Project, analyzer, id, cancellationToken);
        if (diagnostics.IsEmpty)
            throw new Xunit.Sdk.XunitException($"The source has no {id} diagnostic.");

        // dotnet format: the first diagnostic as the driver returns it.
        var formatted = await FixAllFromAsync(document, provider, id, diagnostics, diagnostics[0], cancellationToken);

        // The IDE, and dotnet format on another run (the driver analyzes concurrently): any start, one result.
        foreach (var start in diagnostics.Skip(1))
        {
            var fromHere = await FixAllFromAsync(document, provider, id, diagnostics, start, cancellationToken);
            if (fromHere != formatted)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Fix All from {AnalyzerRunner.Describe(diagnostics[0])} and from {AnalyzerRunner.Describe(start)} differ.\n"
                    + "From the first:\n" + formatted + "\nFrom the other:\n" + fromHere);
            }
        }

        var fixedCompilation = (await document.WithText(SourceText.From(formatted)).Project.GetCompilationAsync(cancellationToken))!;
        AnalyzerRunner.AssertNoCompilerErrors(fixedCompilation, "code after Fix All");
        return formatted;
    }

    /// <summary>Every action the provider registers for the diagnostics of the source, in order: (title, equivalence key) per diagnostic.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<(string Title, string? Key)>>> ActionsAsync(DiagnosticAnalyzer analyzer, CodeFixProvider provider, string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary, CancellationToken cancellationToken = default)
    {
        var document = CreateDocument(source, outputKind);
        var diagnostics = await AnalyzeAsync(document.Project, analyzer, provider.FixableDiagnosticIds.Single(), cancellationToken);
        var result = new List<IReadOnlyList<(string, string?)>>();
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            result.Add((await RegisteredActionsAsync(document, provider, diagnostic, cancellationToken)).Select(a => (a.Title, a.EquivalenceKey)).ToList());
        return result;
    }

    private static async Task<string> FixAllFromAsync(Document document, CodeFixProvider provider, string id, ImmutableArray<Diagnostic> diagnostics, Diagnostic start, CancellationToken cancellationToken)
    {
        var first = (await RegisteredActionsAsync(document, provider, start, cancellationToken)).FirstOrDefault();
        var fixAllProvider = provider.GetFixAllProvider();
        if (fixAllProvider is null || !fixAllProvider.GetSupportedFixAllScopes().Contains(FixAllScope.Solution))
            throw new Xunit.Sdk.XunitException($"{provider.GetType().Name} has no Fix All in Solution scope, which dotnet format needs.");

        var context = new FixAllContext(document, provider, FixAllScope.Solution, first?.EquivalenceKey!, new[] { id }, new FixedDiagnostics(diagnostics), cancellationToken);
        var action = await fixAllProvider.GetFixAsync(context);
        if (action is null)
            return (await document.GetTextAsync(cancellationToken)).ToString();
        var operations = await action.GetOperationsAsync(cancellationToken);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await solution.GetDocument(document.Id)!.GetTextAsync(cancellationToken)).ToString();
    }

    private static async Task<IReadOnlyList<CodeAction>> RegisteredActionsAsync(Document document, CodeFixProvider provider, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken));
        return actions;
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project, DiagnosticAnalyzer analyzer, string id, CancellationToken cancellationToken)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken))!;
        AnalyzerRunner.AssertNoCompilerErrors(compilation, "test source");
        // As dotnet format's AnalyzerRunner asks: concurrent analysis, the driver's order kept.
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(analyzer), new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken);
        return diagnostics.Where(d => d.Id == id && !d.IsSuppressed && d.Location.IsInSource).ToImmutableArray();
    }

    private static Document CreateDocument(string source, OutputKind outputKind)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "Test", "Test", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Preview),
                metadataReferences: TestReferences.Framework))
            .AddDocument(DocumentId.CreateNewId(projectId), "Test0.cs", SourceText.From(source), filePath: "/0/Test0.cs");
        return solution.Projects.Single().Documents.Single();
    }

    /// <summary>The analysis result handed to Fix All, as dotnet format's DiagnosticProvider hands it over.</summary>
    private sealed class FixedDiagnostics : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);
    }
}
