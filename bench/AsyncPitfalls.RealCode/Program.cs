using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Bench;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.RealCode;

/// <summary>
/// Every AsyncPitfalls rule over decompiled builds of real async libraries: no analyzer exception, the same
/// diagnostics in three concurrent runs, and a table of what each rule reports (docs/real-code.md).
/// </summary>
public static class Program
{
    private const string Usage = """
        Every AsyncPitfalls rule over decompiled builds of real async libraries (restored from NuGet).

        usage: dotnet run -c Release --project bench/AsyncPitfalls.RealCode -- [options]

          --only <a,b,...>    only these libraries (default: all that the project lists; the ledger is not checked)
          --write-docs        rewrite the results, precision and code fix sections of docs/real-code.md
          --no-fixes          skip the code fix pass (every fix applied to every diagnostic)
          --max-broken-fixes <n>  fail when more than n fixes (single or Fix All) break the code (default 0)
          --write-ledger      rewrite verdicts.tsv: keep the verdicts that still match, drop the stale rows,
                              add each new diagnostic with the verdict '?' (to judge before the check passes)

        The exit code is 1 when any analyzer threw, two runs disagreed, the ledger (verdicts.tsv) is not
        exactly the output with a verdict on every row, or more fixes broke the code than allowed; 0 otherwise.
        """;

    private const int Runs = 3;

    /// <summary>The libraries, restored next to this program.</summary>
    private static readonly RealCodeLibraries Libraries = new(AppContext.BaseDirectory);

    public static async Task<int> Main(string[] args)
    {
        var libraries = RealCodeLibraries.Listed(typeof(Program).Assembly).ToList();
        var writeDocs = false;
        var writeLedger = false;
        var checkLedger = true;
        var applyFixes = true;
        var maxBrokenFixes = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--only" when i + 1 < args.Length:
                    var only = args[++i].Split(',');
                    libraries = libraries.Where(l => only.Contains(l, StringComparer.OrdinalIgnoreCase)).ToList();
                    checkLedger = false;
                    break;
                case "--write-ledger":
                    writeLedger = true;
                    break;
                case "--write-docs":
                    writeDocs = true;
                    break;
                case "--no-fixes":
                    applyFixes = false;
                    break;
                case "--max-broken-fixes" when i + 1 < args.Length && int.TryParse(args[i + 1], out var max):
                    maxBrokenFixes = max;
                    i++;
                    break;
                default:
                    Console.WriteLine(Usage);
                    return args[i] is "--help" or "-h" ? 0 : 2;
            }
        }

        var started = Stopwatch.StartNew();
        var analyzers = typeof(DiagnosticIds).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        var rules = analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().ToDictionary(id => id, _ => ReportDiagnostic.Warn);
        var workDirectory = Path.Combine(Path.GetTempPath(), "asyncpitfalls-realcode");

        var results = new List<LibraryResult>();
        foreach (var library in libraries)
        {
            var result = await AnalyzeAsync(library, Path.Combine(workDirectory, library), analyzers, rules, applyFixes);
            results.Add(result);
            Console.WriteLine($"{library} {result.Version}: {result.Lines:N0} lines in {result.Files} files, {result.CompileErrors} compile errors, "
                + $"{result.Diagnostics.Count} diagnostics, {result.Exceptions.Count} analyzer exceptions, runs agree: {result.RunsAgree} ({result.Seconds:F1} s"
                + (applyFixes ? $", fixes {result.FixSeconds:F1} s)" : ")"));
            foreach (var exception in result.Exceptions.Distinct().Take(10))
                Console.WriteLine("  exception: " + exception);
            foreach (var broken in result.Fixes.Where(f => f.Broke))
                Console.WriteLine("  fix broke the code: " + broken.Describe());
        }

        var markdown = Markdown(results, started.Elapsed);
        Console.WriteLine();
        Console.WriteLine(markdown);

        var ledgerPath = Path.Combine(Metadata("RepositoryRoot"), "bench", "AsyncPitfalls.RealCode", "verdicts.tsv");
        var reconciliation = VerdictLedger.Read(ledgerPath).Reconcile(results.SelectMany(r => r.Findings));
        var precision = PrecisionMarkdown(reconciliation);
        Console.WriteLine(precision);
        var ledgerExact = !checkLedger || ReportLedger(reconciliation);
        if (writeLedger && checkLedger)
        {
            VerdictLedger.Write(ledgerPath, reconciliation);
            Console.WriteLine($"wrote {ledgerPath}");
        }
        var fixes = results.SelectMany(r => r.Fixes).ToList();
        var fixesMarkdown = CodeFixPass.Markdown(fixes, TimeSpan.FromSeconds(results.Sum(r => r.FixSeconds)));
        var brokenFixes = fixes.Count(f => f.Broke);
        var fixesWithinLimit = !applyFixes || brokenFixes <= maxBrokenFixes;
        if (applyFixes)
        {
            Console.WriteLine(fixesMarkdown);
            Console.WriteLine(fixesWithinLimit
                ? $"code fixes: {brokenFixes} broke the code (allowed: {maxBrokenFixes})"
                : $"code fixes: {brokenFixes} broke the code, more than the {maxBrokenFixes} allowed (--max-broken-fixes); see the list above");
        }
        if (writeDocs)
            WriteDocs(markdown, precision, applyFixes ? fixesMarkdown : null);
        return results.Any(r => r.Exceptions.Count > 0 || !r.RunsAgree) || !ledgerExact || !fixesWithinLimit ? 1 : 0;
    }

    /// <summary>Prints every way the ledger differs from the output; true when it is exact and fully judged.</summary>
    private static bool ReportLedger(Reconciliation reconciliation)
    {
        foreach (var finding in reconciliation.Missing)
            Console.WriteLine($"ledger: no row for {finding.Library} {finding.Rule} {finding.File} {finding.Member}: {finding.Message}");
        foreach (var row in reconciliation.Stale)
            Console.WriteLine($"ledger: no diagnostic for the row {row.Finding.Library} {row.Finding.Rule} {row.Finding.File} {row.Finding.Member}: {row.Finding.Message}");
        foreach (var row in reconciliation.Unjudged)
            Console.WriteLine($"ledger: no verdict (real or noise, with a reason) on {row.Finding.Library} {row.Finding.Rule} {row.Finding.File} {row.Finding.Member}");
        if (reconciliation.IsExact)
        {
            Console.WriteLine($"ledger: exact, {reconciliation.Matched.Count} rows, every one judged");
            return true;
        }
        Console.WriteLine($"ledger: {reconciliation.Missing.Count} diagnostics without a row, {reconciliation.Stale.Count} rows without a diagnostic, "
            + $"{reconciliation.Unjudged.Count()} rows without a verdict; judge them (--write-ledger adds and drops rows) in bench/AsyncPitfalls.RealCode/verdicts.tsv");
        return false;
    }

    private sealed record LibraryResult(string Library, string Version, int Files, int Lines, int CompileErrors, IReadOnlyList<string> Diagnostics, IReadOnlyList<Finding> Findings, IReadOnlyList<string> Exceptions, bool RunsAgree, double Seconds, IReadOnlyList<FixAttempt> Fixes, double FixSeconds);

    private static async Task<LibraryResult> AnalyzeAsync(string library, string sourceDirectory, ImmutableArray<DiagnosticAnalyzer> analyzers, Dictionary<string, ReportDiagnostic> rules, bool applyFixes)
    {
        var stopwatch = Stopwatch.StartNew();
        Libraries.Decompile(library, sourceDirectory);

        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
        var files = RealCodeLibraries.SourceFiles(sourceDirectory);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable,
            specificDiagnosticOptions: rules);
        // The compilation comes from a workspace, so that the code fix pass sees the very trees the analyzers saw.
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId(library);
        var documents = files.Select(f => DocumentInfo.Create(DocumentId.CreateNewId(projectId), Path.GetFileName(f),
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(File.ReadAllText(f)), VersionStamp.Default)), filePath: Path.GetRelativePath(sourceDirectory, f)));
        var project = workspace.AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, library, library, LanguageNames.CSharp,
            compilationOptions: options, parseOptions: parseOptions, documents: documents, metadataReferences: Libraries.References(new[] { library })));
        var compilation = (await project.GetCompilationAsync())!;
        var trees = compilation.SyntaxTrees.ToList();
        var compileErrors = compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);

        var exceptions = new List<string>();
        List<string>? first = null;
        List<Finding>? findings = null;
        ImmutableArray<Diagnostic> firstDiagnostics = default;
        var agree = true;
        for (var run = 0; run < Runs; run++)
        {
            var analysisOptions = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, _) =>
                {
                    lock (exceptions)
                        exceptions.Add($"{analyzer.GetType().Name}: {exception.GetType().Name}: {exception.Message}");
                },
                concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
            var seenBefore = exceptions.Count;
            var diagnostics = await compilation.WithAnalyzers(analyzers, analysisOptions).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            // The callback sees each exception; an AD0001 diagnostic counts only if it did not (not twice).
            if (exceptions.Count == seenBefore)
                exceptions.AddRange(diagnostics.Where(d => d.Id == "AD0001").Select(d => d.GetMessage()));
            var described = diagnostics.Where(d => d.Id != "AD0001").Select(Describe).OrderBy(d => d, StringComparer.Ordinal).ToList();
            if (first is null)
            {
                first = described;
                firstDiagnostics = diagnostics.Where(d => d.Id != "AD0001").ToImmutableArray();
                findings = diagnostics.Where(d => d.Id != "AD0001").Select(d => FindingOf(library, compilation, d)).ToList();
            }
            else if (!first.SequenceEqual(described))
                agree = false;
        }
        var analysisSeconds = stopwatch.Elapsed.TotalSeconds;
        var fixes = applyFixes
            ? await CodeFixPass.RunAsync(library, project, compilation, firstDiagnostics, CancellationToken.None)
            : Array.Empty<FixAttempt>();
        return new LibraryResult(library, Libraries.VersionOf(library), trees.Count, trees.Sum(t => t.GetText().Lines.Count), compileErrors, first!, findings!, exceptions, agree,
            analysisSeconds, fixes, stopwatch.Elapsed.TotalSeconds - analysisSeconds);
    }

    /// <summary>The diagnostic's key in the ledger; its member is the one a reader opens, not a lambda or local function inside it.</summary>
    private static Finding FindingOf(string library, Compilation compilation, Diagnostic diagnostic)
    {
        var tree = diagnostic.Location.SourceTree!;
        var symbol = compilation.GetSemanticModel(tree).GetEnclosingSymbol(diagnostic.Location.SourceSpan.Start);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            symbol = symbol.ContainingSymbol;
        var member = symbol?.GetDocumentationCommentId() ?? symbol?.ToDisplayString() ?? "";
        return Finding.Create(library, diagnostic.Id, tree.FilePath, member, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        return $"{diagnostic.Id} {span.Path}:{span.StartLinePosition.Line + 1}: {diagnostic.GetMessage()}";
    }

    private static string Markdown(IReadOnlyList<LibraryResult> results, TimeSpan elapsed)
    {
        var md = new StringBuilder();
        md.AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd} with .NET {Environment.Version}, Roslyn {typeof(Compilation).Assembly.GetName().Version}, "
            + $"every rule on, concurrent execution, {Runs} runs per library; the whole check took {elapsed.TotalMinutes:F1} min.");
        md.AppendLine();
        md.AppendLine("| Library | Version | Lines | Compile errors | Analyzer exceptions | Runs agree | Diagnostics |");
        md.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var result in results)
        {
            var byRule = result.Diagnostics.GroupBy(d => d[..d.IndexOf(' ')]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
            md.AppendLine($"| {result.Library} | {result.Version} | {result.Lines:N0} | {result.CompileErrors:N0} | {result.Exceptions.Count} | {(result.RunsAgree ? "yes" : "**no**")} | {string.Join(", ", byRule)} |");
        }
        md.AppendLine($"| **all** | | {results.Sum(r => r.Lines):N0} | {results.Sum(r => r.CompileErrors):N0} | {results.Sum(r => r.Exceptions.Count)} | {(results.All(r => r.RunsAgree) ? "yes" : "**no**")} | {results.Sum(r => r.Diagnostics.Count)} |");
        return md.ToString();
    }

    /// <summary>Precision per rule on the ledger: what a team that turns the rule on meets on code written by people.</summary>
    private static string PrecisionMarkdown(Reconciliation reconciliation)
    {
        var md = new StringBuilder();
        md.AppendLine("| Rule | Diagnostics | Real | Noise | Precision |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        var rules = reconciliation.ByRule().ToList();
        foreach (var (rule, real, noise) in rules)
            md.AppendLine($"| {rule} | {real + noise} | {real} | {noise} | {Ratio(real, noise)} |");
        var allReal = rules.Sum(r => r.Real);
        var allNoise = rules.Sum(r => r.Noise);
        md.AppendLine($"| **all** | {allReal + allNoise} | {allReal} | {allNoise} | {Ratio(allReal, allNoise)} |");
        return md.ToString();

        static string Ratio(int real, int noise) => real + noise == 0 ? "-" : ((double)real / (real + noise)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void WriteDocs(string markdown, string precision, string? fixes)
    {
        var page = Path.Combine(Metadata("RepositoryRoot"), "docs", "real-code.md");
        AsyncPitfalls.Bench.DocsSection.Replace(page, "real code results", markdown);
        AsyncPitfalls.Bench.DocsSection.Replace(page, "real code precision", precision);
        if (fixes is not null)
            AsyncPitfalls.Bench.DocsSection.Replace(page, "real code fixes", fixes);
        Console.WriteLine($"wrote {page}");
    }

    private static string Metadata(string key)
        => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;
}
