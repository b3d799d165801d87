using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Bench;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Benchmarks;

public static class Program
{
    private const string Usage = """
        Analyzer execution time of AsyncPitfalls next to its peers, on the same compilations.

        usage: dotnet run -c Release --project bench/AsyncPitfalls.Benchmarks -- [options]

          --sizes <n,n,...>   generated corpus sizes in lines (default 50000,200000,1000000)
          --iterations <n>    rounds; each runs every corpus and set once (three times below 100,000 lines), corpora interleaved; the median is reported (default 5)
          --peers <a,b,...>   only these peers (default: all restored: AsyncFixer, VS Threading, Meziantou, IDisposableAnalyzers)
          --rules <id,id,...> only the AsyncPitfalls analyzers that report these ids (for profiling one rule)
          --sizes none        no generated corpus (only the real ones, or own sources)
          --real <a,b+c,...>  the real-code corpora: decompiled libraries of bench/Shared/RealCodeLibraries.props, one
                              compilation each; '+' joins libraries into one (default Telegram.Bot,MongoDB.Driver+Dapper,
                              Rebus: 165k, 153k and 16k lines; 'none' for no real corpus)
          --no-own-sources    skip the corpus of this repository's own sources
          --quick             5,000 and 10,000 lines and the real Rebus (16k lines), one iteration: the CI smoke run
          --write-docs        rewrite the results section of docs/benchmarks.md and docs/benchmarks.svg
          --verbose           also print every analyzer's time in every run (to see where a slow run's time went)
          --max-rule-ratio <x>
                              exit 1 when any AsyncPitfalls analyzer takes more than x times the compile time on a real
                              corpus (the CI guard: --quick --max-rule-ratio 0.05)
          --baseline-cost     measure only the baseline suppressor: on the generated corpora of --sizes (as generated, and
                              with every pitfall slot taken) and the real corpora of an explicit --real, a baseline of
                              every finding; its time next to the analyzers' (issue 28: under 5%)
          --list-diagnostics <file>
                              measure nothing: write every AsyncPitfalls diagnostic on the corpora of --sizes and
                              --real to <file>, sorted (to prove that a change keeps the diagnostics identical)

        The exit code is 1 when an AsyncPitfalls analyzer threw or a rule passed --max-rule-ratio, 0 otherwise (a peer's exceptions, which IDisposableAnalyzers
        throws on some real code, are only reported); targets are reported, not enforced.
        """;

    public static async Task<int> Main(string[] args)
    {
        var sizes = new List<int> { 50_000, 200_000, 1_000_000 };
        var real = DefaultRealCorpora.ToList();
        var iterations = 5;
        var ownSources = true;
        var writeDocs = false;
        var verbose = false;
        List<string>? peers = null;
        string[]? rules = null;
        string? diagnosticsList = null;
        double? maxRuleRatio = null;
        var baselineCost = false;
        var realGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sizes" when i + 1 < args.Length:
                    sizes = args[++i] is "none" ? new List<int>() : args[i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
                    break;
                case "--real" when i + 1 < args.Length:
                    real = args[++i] is "none" ? new List<string>() : args[i].Split(',').ToList();
                    realGiven = true;
                    break;
                case "--iterations" when i + 1 < args.Length:
                    iterations = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--peers" when i + 1 < args.Length:
                    peers = args[++i].Split(',').ToList();
                    break;
                case "--rules" when i + 1 < args.Length:
                    rules = args[++i].Split(',');
                    break;
                case "--no-own-sources":
                    ownSources = false;
                    break;
                case "--quick":
                    sizes = new List<int> { 5_000, 10_000 };
                    real = new List<string> { QuickRealCorpus };
                    iterations = 1;
                    break;
                case "--write-docs":
                    writeDocs = true;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--max-rule-ratio" when i + 1 < args.Length:
                    maxRuleRatio = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--baseline-cost":
                    baselineCost = true;
                    break;
                case "--list-diagnostics" when i + 1 < args.Length:
                    diagnosticsList = args[++i];
                    break;
                default:
                    Console.WriteLine(Usage);
                    return args[i] is "--help" or "-h" ? 0 : 2;
            }
        }

        var started = Stopwatch.StartNew();
        var ours = AnalyzerSets.AsyncPitfalls();
        if (rules is not null)
            ours = ours with { Analyzers = ours.Reporting(rules).ToImmutableArray() };
        var listed = RealCodeLibraries.Listed(typeof(Program).Assembly);
        var unknown = real.SelectMany(spec => spec.Split('+')).Where(l => !listed.Contains(l, StringComparer.Ordinal)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            Console.WriteLine($"--real: {string.Join(", ", unknown)} not among the libraries of bench/Shared/RealCodeLibraries.props: {string.Join(", ", listed)}");
            return 2;
        }
        // Restored by bench/AsyncPitfalls.RealCode, which this project builds; not loaded into this process.
        var restored = new RealCodeLibraries(System.Reflection.CustomAttributeExtensions.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>(typeof(Program).Assembly).First(a => a.Key == "RealCodeDirectory").Value!);
        if (diagnosticsList is not null)
            return await ListDiagnosticsAsync(ours, sizes.Select(size => Corpus.Generated(size)).Concat(real.Select(spec => Corpus.Real(restored, spec))), diagnosticsList);
        if (baselineCost)
        {
            var measured = sizes.Select(size => ($"generated {Corpus.FormatLines(size)}", Corpus.Generated(size)))
                .Concat(sizes.Select(size => ($"generated {Corpus.FormatLines(size)}, every pitfall slot taken", Corpus.Generated(size, pitfallEvery: 1))))
                .Concat((realGiven ? real : new List<string>()).Select(spec => (spec, Corpus.Real(restored, spec))))
                .ToList();
            return await BaselineCost.RunAsync(ours, measured, iterations, CancellationToken.None);
        }
        var sets = new List<AnalyzerSet> { ours };
        sets.AddRange(AnalyzerSets.Peers(peers));
        foreach (var set in sets)
            Console.WriteLine($"{set.Name}: {set.Analyzers.Length} analyzers, {set.EnableEverything().Count} diagnostic ids");
        var products = sets.ToList();
        sets.Add(AnalyzerSets.DriverBaseline());

        // JIT every analyzer and the compiler, and load the referenced assemblies' metadata, off the record: the
        // first analyzer to touch a reference would otherwise pay for decoding it. The second corpus takes every
        // pitfall, so the reporting paths are compiled before the first measured run too.
        Console.WriteLine("warm-up");
        var warmUp = new List<Corpus> { Corpus.Generated(2_000), Corpus.Generated(2_000, pitfallEvery: 1) };
        if (ownSources)
            warmUp.Add(Corpus.OwnSources(AnalyzerSets.RepositoryRoot));
        await Measurement.MeasureAsync(warmUp, sets, rounds: 1, runsPerRound: _ => 1, _ => { }, verbose: false, CancellationToken.None);

        // Every corpus is generated and parsed up front and kept for the whole run, so that every size is measured
        // in the same process state; the rounds interleave them (see Measurement.MeasureAsync).
        var corpora = sizes.Select(size => Corpus.Generated(size)).ToList();
        foreach (var spec in real)
        {
            var decompiling = Stopwatch.StartNew();
            var realCorpus = Corpus.Real(restored, spec);
            corpora.Add(realCorpus);
            // Off the record: the first compilation against the libraries' many references decodes their metadata.
            Measurement.Compile(realCorpus);
            if (verbose)
            {
                // Decompiled code is not always valid C#; the real-code check (docs/real-code.md) counts the same errors per library.
                var errors = realCorpus.Compile(realCorpus.Trees).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                Console.WriteLine($"{spec}: {errors.Count} compile errors" + string.Concat(errors.Take(20).Select(e => Environment.NewLine + "  " + e)));
            }
            Console.WriteLine($"decompiled and compiled {spec} once in {decompiling.Elapsed.TotalSeconds:F0} s");
        }
        // Warm runs, as the generated corpora get: one analysis of each real corpus off the record, so that what every
        // analyzer learns once per referenced assembly (and keeps while the IDE session or the build runs) is not charged
        // to the first measured run, which a single iteration (--quick) would report as it is.
        var realCorpora = corpora.Where(c => c.IsReal).ToList();
        if (realCorpora.Count > 0)
            await Measurement.MeasureAsync(realCorpora, sets, rounds: 1, runsPerRound: _ => 1, _ => { }, verbose: false, CancellationToken.None);
        if (ownSources)
            corpora.Add(Corpus.OwnSources(AnalyzerSets.RepositoryRoot));
        foreach (var corpus in corpora)
            Console.WriteLine($"{corpus.Name}: {corpus.Lines:N0} lines in {corpus.Sources.Length} files");
        var results = await Measurement.MeasureAsync(corpora, sets, iterations, corpus => RunsPerRound(corpus.Lines, iterations), Console.WriteLine, verbose, CancellationToken.None);

        var peakWorkingSetMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        var environment = $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, "
            + $".NET {Environment.Version}, Roslyn {typeof(Compilation).Assembly.GetName().Version}; "
            + $"{iterations} iteration(s){(RunsPerRound(SmallCorpusLines - 1, iterations) > 1 ? $" ({iterations * RunsPerRound(SmallCorpusLines - 1, iterations)} below {SmallCorpusLines:N0} lines)" : "")}, interleaved, medians; peak working set {peakWorkingSetMb:N0} MB; the whole run took {started.Elapsed.TotalMinutes:F1} min. "
            + "Analyzers: " + string.Join(", ", products.Select(s => $"{s.Name} ({s.Analyzers.Length} analyzers, {s.EnableEverything().Count} rules)")) + ".";
        var report = new Report(results, environment);
        var markdown = report.Markdown();
        Console.WriteLine();
        Console.WriteLine(markdown);

        if (writeDocs)
            WriteDocs(markdown, report.Svg());
        foreach (var thrown in results.SelectMany(r => r.Sets.Where(s => s.AnalyzerExceptions > 0).Select(s => $"{s.Set} threw {s.AnalyzerExceptions} time(s) on {r.Corpus}")))
            Console.WriteLine(thrown);
        var threw = results.SelectMany(r => r.Sets).Any(s => s.Set == AnalyzerSets.AsyncPitfallsName && s.AnalyzerExceptions > 0);
        return threw | !WithinRuleRatio(results, maxRuleRatio) ? 1 : 0;
    }

    /// <summary>The CI guard: no AsyncPitfalls analyzer above the given multiple of compile time on a real corpus (a ratio measured in one process).</summary>
    private static bool WithinRuleRatio(IReadOnlyList<CorpusResult> results, double? limit)
    {
        if (limit is not { } max)
            return true;
        var above = results.Where(r => r.IsReal)
            .SelectMany(r => r.Set(AnalyzerSets.AsyncPitfallsName)!.PerAnalyzerMs
                .Where(p => p.Value / r.CompileMs > max)
                .Select(p => $"{p.Key} {(p.Value / r.CompileMs).ToString("F3", CultureInfo.InvariantCulture)}x of compile time on {r.Corpus}"))
            .ToList();
        foreach (var line in above)
            Console.WriteLine($"--max-rule-ratio {max.ToString(CultureInfo.InvariantCulture)}: {line}");
        if (above.Count == 0)
            Console.WriteLine($"--max-rule-ratio {max.ToString(CultureInfo.InvariantCulture)}: every rule within it on every real corpus");
        return above.Count == 0;
    }

    /// <summary>Every diagnostic on each corpus (generated and real), one sorted line each, and the count per rule on the console.</summary>
    private static async Task<int> ListDiagnosticsAsync(AnalyzerSet ours, IEnumerable<Corpus> corpora, string path)
    {
        var lines = new List<string>();
        var exceptions = 0;
        foreach (var corpus in corpora)
        {
            var compilation = corpus.Compile(corpus.Trees, ours.EnableEverything());
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (_, _, _) => Interlocked.Increment(ref exceptions), concurrentAnalysis: true, logAnalyzerExecutionTime: false);
            var diagnostics = await compilation.WithAnalyzers(ours.Analyzers, options).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
            var described = diagnostics
                .Select(d => $"{corpus.Name}\t{d.Id}\t{d.Location.GetLineSpan().Path}:{d.Location.GetLineSpan().StartLinePosition.Line + 1}\t{d.GetMessage(CultureInfo.InvariantCulture)}")
                .OrderBy(line => line, StringComparer.Ordinal)
                .ToList();
            lines.AddRange(described);
            Console.WriteLine($"{corpus.Name}: {described.Count} diagnostics; "
                + string.Join(", ", diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        }
        File.WriteAllLines(path, lines);
        Console.WriteLine($"wrote {lines.Count} diagnostics to {path}; {exceptions} analyzer exceptions");
        return exceptions > 0 ? 1 : 0;
    }

    /// <summary>
    /// The real corpora of a full run: the largest library, the next largest joined with a small one to pass 150,000 lines,
    /// and a small one (the quick run's), so that the growth from the smallest to the largest real corpus means something.
    /// </summary>
    private static readonly string[] DefaultRealCorpora = { "Telegram.Bot", "MongoDB.Driver+Dapper", QuickRealCorpus };

    /// <summary>
    /// The real corpus of --quick and of CI's speed guard: small enough to keep the smoke run near a minute, large enough
    /// (16k lines, with AP1004 findings) that one iteration's ratios are not dominated by a collection landing in a rule.
    /// </summary>
    private const string QuickRealCorpus = "Rebus";

    /// <summary>Corpora below this size run three times per round: a collection landing inside a run weighs more there.</summary>
    private const int SmallCorpusLines = 100_000;

    private static int RunsPerRound(int lines, int iterations) => lines < SmallCorpusLines && iterations > 1 ? 3 : 1;

    private static void WriteDocs(string markdown, string svg)
    {
        var docs = Path.Combine(AnalyzerSets.RepositoryRoot, "docs");
        var page = Path.Combine(docs, "benchmarks.md");
        AsyncPitfalls.Bench.DocsSection.Replace(page, "benchmark results", markdown);
        File.WriteAllText(Path.Combine(docs, "benchmarks.svg"), svg);
        Console.WriteLine($"wrote {page} and docs/benchmarks.svg");
    }
}
