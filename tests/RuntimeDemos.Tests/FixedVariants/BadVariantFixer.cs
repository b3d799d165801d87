using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace RuntimeDemos.Tests.FixedVariants;

/// <summary>What applying the package's code fixes to one bad variant produced.</summary>
/// <param name="Applied">Each fix applied, in order: the rule, the code it was reported on, the action's title.</param>
/// <param name="NotOffered">Diagnostics of a rule that has a code fix, for which the fix offered no action.</param>
/// <param name="Remaining">Diagnostics of rules with a code fix still reported in the fixed bad variant.</param>
/// <param name="NewCompilerDiagnostics">
/// Compiler errors and warnings of the fixed project that the demos did not have: CS4014 there means a caller now
/// drops the task the fix made the method return.
/// </param>
/// <param name="MovedElsewhere">Diagnostics of the fixed rules that appeared in other files: the pitfall moved to a caller.</param>
/// <param name="ChangedFiles">Every file the fixes changed, relative to samples/RuntimeDemos, with its fixed text.</param>
internal sealed record FixOutcome(
    IReadOnlyList<string> Applied,
    IReadOnlyList<string> NotOffered,
    IReadOnlyList<string> Remaining,
    IReadOnlyList<string> NewCompilerDiagnostics,
    IReadOnlyList<string> MovedElsewhere,
    IReadOnlyDictionary<string, string> ChangedFiles,
    Compilation FixedProject)
{
    public string Describe()
        => "applied:\n  " + string.Join("\n  ", Applied)
            + "\nnot offered:\n  " + string.Join("\n  ", NotOffered)
            + "\nremaining:\n  " + string.Join("\n  ", Remaining)
            + "\nnew compiler errors and warnings:\n  " + string.Join("\n  ", NewCompilerDiagnostics)
            + "\nnew diagnostics elsewhere:\n  " + string.Join("\n  ", MovedElsewhere)
            + string.Concat(ChangedFiles.Select(file => $"\n--- {file.Key} (fixed)\n{file.Value}"));
}

/// <summary>
/// Applies the package's code fixes to a runtime demo's bad variant the way the IDE does: the whole demos project
/// in a Roslyn workspace, the real <see cref="CodeFixProvider"/>s, the first action each offers (the one a user
/// accepts first), one diagnostic at a time, until no diagnostic of a rule with a fix is left or none can be fixed.
/// </summary>
internal static class BadVariantFixer
{
    private const int MaxFixes = 20;

    private static ImmutableArray<DiagnosticAnalyzer> AllAnalyzers { get; } = typeof(AsyncPitfalls.DiagnosticIds).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>The package's code fixes by the rule they fix.</summary>
    public static ImmutableDictionary<string, CodeFixProvider> FixesByRule { get; } = typeof(AsyncPitfalls.Rules.ThreadSleepCodeFix).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Length > 0)
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .SelectMany(provider => provider.FixableDiagnosticIds.Select(id => (id, provider)))
        .ToImmutableDictionary(pair => pair.id, pair => pair.provider);

    /// <summary>Fixes the diagnostics of <paramref name="rules"/> (the demo's rules) in <paramref name="badVariant"/>.</summary>
    public static async Task<FixOutcome> FixAsync(string badVariant, IReadOnlyCollection<string> rules, CancellationToken cancellationToken)
    {
        // Only the demo's own rules run, and once per fix: the whole set over the whole project would take minutes.
        var analyzers = AllAnalyzers.Where(a => a.SupportedDiagnostics.Any(d => rules.Contains(d.Id))).ToImmutableArray();
        var original = DemoProject.Original;
        var badDocumentId = original.Documents.Single(d => d.FilePath == badVariant).Id;
        var diagnostics = await DiagnosticsAsync(original, analyzers, rules, cancellationToken);
        var elsewhereBefore = Elsewhere(diagnostics, badVariant, rules);
        var compilerBefore = CompilerDiagnostics(diagnostics);

        var applied = new List<string>();
        var notOffered = new List<string>();
        var solution = original.Solution;
        for (var round = 0; round < MaxFixes; round++)
        {
            var document = solution.GetDocument(badDocumentId)!;
            var fixable = diagnostics
                .Where(d => IsIn(d, badVariant) && FixesByRule.ContainsKey(d.Id) && !notOffered.Contains(Describe(d)))
                .ToList();
            if (fixable.Count == 0)
                break;

            var diagnostic = fixable[0];
            var action = await FirstActionAsync(document, diagnostic, cancellationToken);
            if (action is null)
            {
                notOffered.Add(Describe(diagnostic));
                continue;
            }

            var operations = await action.GetOperationsAsync(cancellationToken);
            var change = operations.OfType<ApplyChangesOperation>().Single();
            applied.Add($"{Describe(diagnostic)} -> \"{action.Title}\"");
            solution = change.ChangedSolution;
            diagnostics = await DiagnosticsAsync(solution.GetProject(original.Id)!, analyzers, rules, cancellationToken);
        }

        var fixedProject = solution.GetProject(original.Id)!;
        var compilation = (await fixedProject.GetCompilationAsync(cancellationToken))!;
        var newCompilerDiagnostics = CompilerDiagnostics(diagnostics).Except(compilerBefore).ToList();
        var remaining = diagnostics.Where(d => IsIn(d, badVariant) && FixesByRule.ContainsKey(d.Id)).Select(Describe).ToList();
        var movedElsewhere = Elsewhere(diagnostics, badVariant, rules).Except(elsewhereBefore).ToList();

        var changed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var documentId in solution.GetChanges(original.Solution).GetProjectChanges().SelectMany(p => p.GetChangedDocuments()))
        {
            var document = solution.GetDocument(documentId)!;
            changed[Path.GetRelativePath(DemoProject.Folder, document.FilePath!)] = (await document.GetTextAsync(cancellationToken)).ToString();
        }

        return new FixOutcome(applied, notOffered, remaining, newCompilerDiagnostics, movedElsewhere, changed, compilation);
    }

    /// <summary>
    /// The compiler's errors and warnings and the diagnostics of <paramref name="rules"/> (no other rule's) over the
    /// project, as the build reports them (compilation-end rules included), in the order a user meets them. One pass
    /// binds the code for both.
    /// </summary>
    private static async Task<IReadOnlyList<Diagnostic>> DiagnosticsAsync(Project project, ImmutableArray<DiagnosticAnalyzer> analyzers, IReadOnlyCollection<string> rules, CancellationToken cancellationToken)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken))!;
        var analyzed = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));
        var diagnostics = await analyzed.GetAllDiagnosticsAsync(cancellationToken);
        var failures = diagnostics.Where(d => d.Id is "AD0001" or "AD0002").ToList();
        if (failures.Count > 0)
            throw new InvalidOperationException("An analyzer failed:\n" + string.Join("\n", failures));
        return diagnostics
            .Where(d => rules.Contains(d.Id) || IsCompilerProblem(d))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The compiler's errors and warnings, by file and line text (line numbers move as fixes add lines).</summary>
    private static IReadOnlyList<string> CompilerDiagnostics(IEnumerable<Diagnostic> diagnostics)
        => diagnostics
            .Where(IsCompilerProblem)
            .Select(d => $"{d.Id} {Path.GetFileName(d.Location.SourceTree?.FilePath)}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} on '{LineOf(d)}'")
            .ToList();

    private static bool IsCompilerProblem(Diagnostic diagnostic)
        => diagnostic.Severity >= DiagnosticSeverity.Warning && !diagnostic.Id.StartsWith("AP", StringComparison.Ordinal);

    private static bool IsIn(Diagnostic diagnostic, string path) => diagnostic.Location.SourceTree?.FilePath == path;

    /// <summary>The diagnostics in the other files of the project, by file and line text.</summary>
    private static IReadOnlyList<string> Elsewhere(IEnumerable<Diagnostic> diagnostics, string badVariant, IReadOnlyCollection<string> rules)
        => diagnostics
            .Where(d => rules.Contains(d.Id) && !IsIn(d, badVariant))
            .Select(d => Path.GetFileName(d.Location.SourceTree!.FilePath) + ": " + Describe(d))
            .ToList();

    private static async Task<CodeAction?> FirstActionAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken);
        await FixesByRule[diagnostic.Id].RegisterCodeFixesAsync(context);
        return actions.FirstOrDefault();
    }

    /// <summary>The rule and the line it reports, which stay recognizable while earlier fixes move the code.</summary>
    private static string Describe(Diagnostic diagnostic) => $"{diagnostic.Id} on '{LineOf(diagnostic)}'";

    private static string LineOf(Diagnostic diagnostic)
        => diagnostic.Location.SourceTree is { } tree
            ? tree.GetText().Lines.GetLineFromPosition(diagnostic.Location.SourceSpan.Start).ToString().Trim()
            : "";
}

/// <summary>samples/RuntimeDemos as a project of a Roslyn workspace, compiled as its build compiles it.</summary>
internal static class DemoProject
{
    public static string Folder { get; } = FindFolder();

    public static string BadVariantPath(Type demoType) => Path.Combine(Folder, "BadVariants", demoType.Name + ".Bad.cs");

    public static string DemoPath(Type demoType) => Directory.GetFiles(Path.Combine(Folder, "Demos"), demoType.Name + ".cs", SearchOption.AllDirectories).Single();

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>
    /// The running framework's assemblies (Microsoft.NETCore.App and Microsoft.AspNetCore.App: the demos host
    /// Kestrel), which this test host loads because it references the demos.
    /// </summary>
    public static ImmutableArray<MetadataReference> FrameworkReferences { get; } = LoadFrameworkReferences();

    /// <summary>
    /// The demos as they are, in one workspace for every test: each test's fixes fork their own solution from it,
    /// and the compilation of the unchanged project is built once.
    /// </summary>
    public static Project Original { get; } = Load(new AdhocWorkspace());

    private static Project Load(AdhocWorkspace workspace)
    {
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId, VersionStamp.Create(), "RuntimeDemos", "RuntimeDemos", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: ParseOptions,
            metadataReferences: FrameworkReferences));
        foreach (var path in Directory.GetFiles(Folder, "*.cs", SearchOption.AllDirectories).Where(p => !IsBuildOutput(p)).OrderBy(p => p, StringComparer.Ordinal))
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), Path.GetFileName(path), SourceText.From(File.ReadAllText(path)), filePath: path);
        return solution.GetProject(projectId)!;
    }

    private static bool IsBuildOutput(string path)
        => Path.GetRelativePath(Folder, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0] is "bin" or "obj";

    private static string FindFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AsyncPitfalls.sln")))
                return Path.Combine(directory.FullName, "samples", "RuntimeDemos");
        }
        throw new InvalidOperationException("AsyncPitfalls.sln not found above " + AppContext.BaseDirectory);
    }

    private static ImmutableArray<MetadataReference> LoadFrameworkReferences()
    {
        var netCore = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var aspNetCore = Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly.Location)!;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) is { } directory && (directory == netCore || directory == aspNetCore))
            .Where(IsManagedAssembly)
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
