using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>
/// One analyzer test: sources with markup, expected diagnostics, options. Runs the analyzer as a
/// build and as the IDE does, and requires both to report exactly the expected diagnostics.
/// </summary>
public class AnalyzerTest<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>Sources of the test project, with markup.</summary>
    public List<string> Sources { get; } = new();

    /// <summary>Sources of a second project in the same solution (for solution-wide Fix All).</summary>
    public List<string> OtherProjectSources { get; } = new();

    /// <summary>Diagnostics expected besides the markup spans (for example with a checked message).</summary>
    public List<DiagnosticResult> ExpectedDiagnostics { get; } = new();

    public OutputKind OutputKind { get; set; } = OutputKind.DynamicallyLinkedLibrary;

    /// <summary>Lines of an .editorconfig <c>[*.cs]</c> section for the test project (rule options).</summary>
    public string? EditorConfig { get; set; }

    /// <summary>
    /// The rule reports at compilation end only (build-only): the IDE run of one open document is
    /// then not required to report the same diagnostics.
    /// </summary>
    public bool BuildOnly { get; set; }

    /// <summary>Half-typed code: compiler errors are allowed; the analyzer must still not throw.</summary>
    public bool AllowCompilerErrors { get; set; }

    /// <summary>Only analyzer exceptions (and build/IDE disagreement) fail the test, not which diagnostics appear.</summary>
    public bool CheckOnlyForCrashes { get; set; }

    protected static DiagnosticAnalyzer Analyzer { get; } = new TAnalyzer();

    public virtual async Task RunAsync()
    {
        var state = Prepare(Sources, OtherProjectSources);
        var solution = state.Solution;
        var expected = ExpectedFrom(state);
        await VerifyDiagnosticsAsync(solution, expected, checkCompilerErrors: !AllowCompilerErrors);
    }

    internal sealed record PreparedDocument(DocumentId Id, string Source, List<MarkedSpan> Spans);

    internal sealed record PreparedSolution(Solution Solution, List<PreparedDocument> Documents, ProjectId MainProject, ProjectId? OtherProject);

    internal PreparedSolution Prepare(IReadOnlyList<string> sources, IReadOnlyList<string> otherProjectSources)
    {
        var workspace = new AdhocWorkspace();
        var solution = workspace.CurrentSolution;
        var documents = new List<PreparedDocument>();
        var main = AddProject(ref solution, "TestProject", sources, documents);
        ProjectId? other = otherProjectSources.Count > 0 ? AddProject(ref solution, "OtherProject", otherProjectSources, documents) : null;
        return new PreparedSolution(solution, documents, main, other);
    }

    private ProjectId AddProject(ref Solution solution, string name, IReadOnlyList<string> sources, List<PreparedDocument> documents)
    {
        var projectId = ProjectId.CreateNewId(name);
        var compilationOptions = new CSharpCompilationOptions(OutputKind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true);
        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
        solution = solution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, name, name, LanguageNames.CSharp, filePath: $"/{name}/{name}.csproj",
                compilationOptions: compilationOptions, parseOptions: parseOptions, metadataReferences: ReferenceAssemblies.NetCore));

        var config = "root = true\n\n[*.cs]\n" + (EditorConfig ?? string.Empty);
        solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId), ".editorconfig", SourceText.From(config), filePath: $"/{name}/.editorconfig");

        var prefix = name == "TestProject" ? "Test" : "Other";
        for (var i = 0; i < sources.Count; i++)
        {
            var (source, spans) = TestMarkup.Parse(sources[i]);
            var documentId = DocumentId.CreateNewId(projectId);
            var fileName = $"{prefix}{i}.cs";
            solution = solution.AddDocument(documentId, fileName, SourceText.From(source, Encoding.UTF8), filePath: $"/{name}/{fileName}");
            documents.Add(new PreparedDocument(documentId, source, spans));
        }
        return projectId;
    }

    /// <summary>Expected diagnostics from markup spans and <see cref="ExpectedDiagnostics"/>, as (file, span, id, message?).</summary>
    /// <param name="includeExplicit">False for the fixed state, where only its own markup counts.</param>
    internal List<(string File, TextSpan Span, string Id, string? Message)> ExpectedFrom(PreparedSolution state, bool includeExplicit = true)
    {
        var expected = new List<(string, TextSpan, string, string?)>();
        var indexed = new Dictionary<int, (string File, TextSpan Span)>();
        foreach (var document in state.Documents)
        {
            var file = state.Solution.GetDocument(document.Id)!.FilePath!;
            foreach (var span in document.Spans)
            {
                if (span.LocationIndex is { } index)
                    indexed[index] = (file, span.Span);
                else
                    expected.Add((file, span.Span, span.DiagnosticId ?? SingleDiagnosticId(), null));
            }
        }

        foreach (var result in includeExplicit ? ExpectedDiagnostics : new List<DiagnosticResult>())
        {
            if (result.LocationIndex is not { } index || !indexed.TryGetValue(index, out var location))
                throw new InvalidOperationException($"Expected diagnostic {result.Id} needs a {{|#n:...|}} location in the markup.");
            expected.Add((location.File, location.Span, result.Id, result.Message));
        }
        return expected;
    }

    private static string SingleDiagnosticId()
    {
        var ids = Analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct().ToList();
        return ids.Count == 1 ? ids[0] : throw new InvalidOperationException("[|...|] needs an analyzer with one diagnostic id; use {|ID:...|}.");
    }

    internal async Task<ImmutableArray<Diagnostic>> VerifyDiagnosticsAsync(Solution solution, List<(string File, TextSpan Span, string Id, string? Message)> expected, bool checkCompilerErrors)
    {
        var actual = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var project in solution.Projects)
        {
            var compilation = (await project.GetCompilationAsync())!;
            if (checkCompilerErrors)
                AssertNoCompilerErrors(compilation, "test source");

            var analyzers = ImmutableArray.Create(Analyzer);
            var build = await AnalyzerRunner.RunAsBuildAsync(compilation, analyzers, project.AnalyzerOptions);
            var ide = await AnalyzerRunner.RunAsIdeAsync(compilation, analyzers, project.AnalyzerOptions);
            if (!BuildOnly)
                AssertSameDiagnostics(build, ide);
            actual.AddRange(build);
        }

        var actualDiagnostics = actual.ToImmutable();
        if (!CheckOnlyForCrashes)
            AssertMatches(expected, actualDiagnostics);
        return actualDiagnostics;
    }

    internal static void AssertNoCompilerErrors(Compilation compilation, string what)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new Xunit.Sdk.XunitException($"The {what} does not compile:\n" + string.Join("\n", errors));
    }

    private static void AssertSameDiagnostics(ImmutableArray<Diagnostic> build, ImmutableArray<Diagnostic> ide)
    {
        var buildKeys = build.Select(Describe).ToList();
        var ideKeys = ide.Select(Describe).ToList();
        if (!buildKeys.SequenceEqual(ideKeys))
        {
            throw new Xunit.Sdk.XunitException(
                "The build and the IDE (one open document) report different diagnostics; declare the rule BuildOnly if it reports at compilation end.\n"
                + "Build:\n  " + string.Join("\n  ", buildKeys) + "\nIDE:\n  " + string.Join("\n  ", ideKeys));
        }
    }

    private static void AssertMatches(List<(string File, TextSpan Span, string Id, string? Message)> expected, ImmutableArray<Diagnostic> actual)
    {
        var remaining = actual.ToList();
        var problems = new List<string>();
        foreach (var item in expected.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Span.Start))
        {
            var match = remaining.FirstOrDefault(d => d.Id == item.Id && d.Location.SourceSpan == item.Span && d.Location.SourceTree?.FilePath == item.File);
            if (match is null)
            {
                problems.Add($"missing: {item.Id} at {item.File} {item.Span}");
                continue;
            }
            remaining.Remove(match);
            var message = match.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            if (item.Message is not null && message != item.Message)
                problems.Add($"message of {item.Id} at {item.File} {item.Span}:\n    expected: {item.Message}\n    actual:   {message}");
        }
        problems.AddRange(remaining.Select(d => "unexpected: " + Describe(d)));
        if (problems.Count > 0)
            throw new Xunit.Sdk.XunitException("Diagnostics differ from the expectation:\n  " + string.Join("\n  ", problems));
    }

    internal static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var text = diagnostic.Location.SourceTree?.GetText().ToString(diagnostic.Location.SourceSpan);
        return $"{diagnostic.Id} {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}) '{text}': {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
