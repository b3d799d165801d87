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
using AsyncPitfalls.Tests.Verifiers;
using ICSharpCode.Decompiler;
using ICSharpCode.Decompiler.CSharp.ProjectDecompiler;
using ICSharpCode.Decompiler.Metadata;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

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

          --only <a,b,...>    only these libraries (default: all that the project lists)
          --write-docs        rewrite the results section of docs/real-code.md

        The exit code is 1 when any analyzer threw or two runs disagreed, 0 otherwise.
        """;

    private const int Runs = 3;

    public static async Task<int> Main(string[] args)
    {
        var libraries = Metadata("Libraries").Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var writeDocs = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--only" when i + 1 < args.Length:
                    var only = args[++i].Split(',');
                    libraries = libraries.Where(l => only.Contains(l, StringComparer.OrdinalIgnoreCase)).ToList();
                    break;
                case "--write-docs":
                    writeDocs = true;
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
            var result = await AnalyzeAsync(library, Path.Combine(workDirectory, library), analyzers, rules);
            results.Add(result);
            Console.WriteLine($"{library} {result.Version}: {result.Lines:N0} lines in {result.Files} files, {result.CompileErrors} compile errors, "
                + $"{result.Diagnostics.Count} diagnostics, {result.Exceptions.Count} analyzer exceptions, runs agree: {result.RunsAgree} ({result.Seconds:F1} s)");
            foreach (var exception in result.Exceptions.Distinct().Take(10))
                Console.WriteLine("  exception: " + exception);
        }

        var markdown = Markdown(results, started.Elapsed);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (writeDocs)
            WriteDocs(markdown);
        return results.Any(r => r.Exceptions.Count > 0 || !r.RunsAgree) ? 1 : 0;
    }

    private sealed record LibraryResult(string Library, string Version, int Files, int Lines, int CompileErrors, IReadOnlyList<string> Diagnostics, IReadOnlyList<string> Exceptions, bool RunsAgree, double Seconds);

    private static async Task<LibraryResult> AnalyzeAsync(string library, string sourceDirectory, ImmutableArray<DiagnosticAnalyzer> analyzers, Dictionary<string, ReportDiagnostic> rules)
    {
        var stopwatch = Stopwatch.StartNew();
        var assemblyPath = Path.Combine(AppContext.BaseDirectory, library + ".dll");
        Decompile(assemblyPath, sourceDirectory);

        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
        var files = Directory.GetFiles(sourceDirectory, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, Path.GetRelativePath(sourceDirectory, f))).ToList();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable,
            specificDiagnosticOptions: rules);
        var compilation = CSharpCompilation.Create(library, trees, References(library), options);
        var compileErrors = compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);

        var exceptions = new List<string>();
        List<string>? first = null;
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
                first = described;
            else if (!first.SequenceEqual(described))
                agree = false;
        }
        return new LibraryResult(library, VersionOf(assemblyPath), trees.Count, trees.Sum(t => t.GetText().Lines.Count), compileErrors, first!, exceptions, agree, stopwatch.Elapsed.TotalSeconds);
    }

    private static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        return $"{diagnostic.Id} {span.Path}:{span.StartLinePosition.Line + 1}: {diagnostic.GetMessage()}";
    }

    /// <summary>One C# file per type, as ILSpy writes a project; done again on every run, so no stale sources are analyzed.</summary>
    private static void Decompile(string assemblyPath, string directory)
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        using var module = new PEFile(assemblyPath);
        var resolver = new UniversalAssemblyResolver(assemblyPath, false, module.DetectTargetFrameworkId());
        resolver.AddSearchDirectory(AppContext.BaseDirectory);
        var settings = new DecompilerSettings(ICSharpCode.Decompiler.CSharp.LanguageVersion.Latest) { ThrowOnAssemblyResolveErrors = false };
        new WholeProjectDecompiler(settings, resolver, null, resolver, null).DecompileProject(module, directory);
    }

    /// <summary>
    /// The framework, and every assembly restored next to this program except the library itself, this program's own
    /// tools (Roslyn, the decompiler, the analyzers) and copies of framework assemblies (they would define types twice).
    /// </summary>
    private static IEnumerable<MetadataReference> References(string library)
    {
        var framework = RuntimeReferences.NetCore;
        var frameworkNames = framework.Select(r => Path.GetFileName(r.Display)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var own = typeof(Program).Assembly.GetName().Name + ".dll";
        var restored = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(path =>
            {
                var name = Path.GetFileName(path);
                return !name.Equals(library + ".dll", StringComparison.OrdinalIgnoreCase) && !frameworkNames.Contains(name) && name != own
                    && !name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && !name.StartsWith("ICSharpCode.", StringComparison.Ordinal)
                    && !name.StartsWith("AsyncPitfalls.", StringComparison.Ordinal);
            })
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        return framework.Concat(restored);
    }

    private static string VersionOf(string assemblyPath)
    {
        // "8.9.1+commit" or "3.3.2\n": the version the package shipped, without build metadata.
        var version = (FileVersionInfo.GetVersionInfo(assemblyPath).ProductVersion ?? "?").Trim();
        var metadata = version.IndexOfAny(new[] { '+', '\n', '\r', ' ' });
        return metadata >= 0 ? version[..metadata] : version;
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

    private static void WriteDocs(string markdown)
    {
        var page = Path.Combine(Metadata("RepositoryRoot"), "docs", "real-code.md");
        AsyncPitfalls.Bench.DocsSection.Replace(page, "real code results", markdown);
        Console.WriteLine($"wrote {page}");
    }

    private static string Metadata(string key)
        => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;
}
