using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Benchmarks;

/// <summary>What one analyzer set cost on one corpus, medians over the iterations.</summary>
public sealed record SetResult(
    string Set,
    double AnalyzerMs,
    double WallMs,
    double AllocatedMb,
    double GcPauseMs,
    int Diagnostics,
    int AnalyzerExceptions,
    IReadOnlyDictionary<string, double> PerAnalyzerMs);

/// <summary>One analysis of one corpus by one set: wall time, allocations, collection pauses and each analyzer's time.</summary>
public sealed record AnalysisRun(double WallMs, double AllocatedMb, double GcPauseMs, int Diagnostics, int Exceptions, Dictionary<string, double> PerAnalyzerMs);

/// <summary>One corpus: its compile time and every set's analysis, medians over the iterations.</summary>
public sealed record CorpusResult(string Corpus, int Lines, int CompileErrors, double CompileMs, double CompileAllocatedMb, IReadOnlyList<SetResult> Sets, bool IsReal = false)
{
    public SetResult? Set(string name) => Sets.FirstOrDefault(s => s.Set == name);
}

public static class Measurement
{
    /// <summary>
    /// Parse, bind and emit the corpus on one thread: the compile time the analyzers are compared with.
    /// Returns milliseconds, allocated megabytes and the compile errors (the corpus should have none).
    /// </summary>
    public static (double Ms, double AllocatedMb, int Errors) Compile(Corpus corpus)
    {
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        var compilation = corpus.Compile(corpus.Parse());
        using var peStream = new MemoryStream();
        var emit = compilation.Emit(peStream);
        var elapsed = stopwatch.Elapsed.TotalMilliseconds;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;
        return (elapsed, allocated, emit.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>
    /// Runs one set over a fresh compilation of the corpus with every rule on, its callbacks one at a time (concurrent
    /// execution off; the compiler still binds the program on another thread meanwhile, see docs/benchmarks.md), and
    /// reads the driver's per-analyzer execution time.
    /// </summary>
    public static async Task<AnalysisRun> AnalyzeAsync(
        Corpus corpus, AnalyzerSet set, CancellationToken cancellationToken)
    {
        var exceptions = 0;
        var compilation = corpus.Compile(corpus.Trees, set.EnableEverything());
        // The compiler's declaration table and its binding of the references, which the compilation the analyzers
        // run on shares with this one. Built here, off the clock: otherwise the first analyzer to ask for a type pays
        // for the compiler's own setup (a pass over every syntax tree), which the build needs with or without
        // analyzers; csc builds it in its declare stage, and in the IDE the compilation has it already.
        _ = compilation.Assembly;
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (_, _, _) => Interlocked.Increment(ref exceptions),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: true,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(set.Analyzers, options);
        // The analyzers' compilation is a copy with its own source symbols: its namespaces, built from the shared
        // declaration table on the first lookup in each, are that setup too (on MongoDB.Driver about 30 ms per run that
        // sampled traces charged to whichever analyzer first asked for a type).
        BuildNamespaces(withAnalyzers.Compilation.Assembly.GlobalNamespace);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var pausedBefore = GC.GetTotalPauseDuration();
        var stopwatch = Stopwatch.StartNew();
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        var wall = stopwatch.Elapsed.TotalMilliseconds;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;
        // Collections pause everything; the ones that land inside an analyzer's callback count in its time.
        var gcPause = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;

        var perAnalyzer = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var analyzer in set.Analyzers)
        {
            var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, cancellationToken).ConfigureAwait(false);
            perAnalyzer[AnalyzerKey(analyzer)] = telemetry.ExecutionTime.TotalMilliseconds;
        }
        return new AnalysisRun(wall, allocated, gcPause, diagnostics.Length, exceptions, perAnalyzer);
    }

    /// <summary>An analyzer's name in the tables: its type and the ids it reports.</summary>
    public static string AnalyzerKey(DiagnosticAnalyzer analyzer) => $"{analyzer.GetType().Name} ({AnalyzerSet.IdsOf(analyzer)})";

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            return 0;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Measures every set on every corpus in rounds: each round runs each corpus <paramref name="runsPerRound"/>
    /// times, and the medians are taken over all rounds. Interleaving the corpora (rather than finishing one before
    /// the next) exposes every size to the same machine: a host that slows down for ten minutes of a 45-minute run
    /// would otherwise make one size look more expensive per line than another. <paramref name="verbose"/> also logs
    /// each analyzer's time in each run.
    /// </summary>
    public static async Task<IReadOnlyList<CorpusResult>> MeasureAsync(
        IReadOnlyList<Corpus> corpora, IReadOnlyList<AnalyzerSet> sets, int rounds, Func<Corpus, int> runsPerRound, Action<string> log, bool verbose, CancellationToken cancellationToken)
    {
        var runs = corpora.Select(_ => new CorpusRuns(sets)).ToList();
        for (var round = 1; round <= rounds; round++)
        {
            for (var i = 0; i < corpora.Count; i++)
            {
                var corpus = corpora[i];
                var total = rounds * runsPerRound(corpus);
                for (var repeat = 0; repeat < runsPerRound(corpus); repeat++)
                    await MeasureOnceAsync(corpus, sets, runs[i], $"{corpus.Name}, run {runs[i].Compiles.Count + 1}/{total}", log, verbose, cancellationToken).ConfigureAwait(false);
            }
        }
        return corpora.Select((corpus, i) => runs[i].Summarize(corpus, sets)).ToList();
    }

    private static async Task MeasureOnceAsync(Corpus corpus, IReadOnlyList<AnalyzerSet> sets, CorpusRuns runs, string label, Action<string> log, bool verbose, CancellationToken cancellationToken)
    {
        Collect();
        var compile = Compile(corpus);
        runs.Compiles.Add(compile);
        log($"  {label}: compile {compile.Ms:F0} ms ({compile.Errors} errors)");
        foreach (var set in sets)
        {
            Collect();
            var run = await AnalyzeAsync(corpus, set, cancellationToken).ConfigureAwait(false);
            runs.Sets[set.Name].Add(run);
            log($"    {set.Name,-22} analyzers {run.PerAnalyzerMs.Values.Sum(),8:F0} ms, wall {run.WallMs,8:F0} ms (GC pauses {run.GcPauseMs,6:F0} ms), allocated {run.AllocatedMb,6:F0} MB, {run.Diagnostics} diagnostics, {run.Exceptions} analyzer exceptions");
            // One analyzer far above its usual time in a single run is time from outside it that landed in its
            // callback: a collection that started there (see docs/benchmarks.md).
            if (verbose)
                log("      " + string.Join(", ", run.PerAnalyzerMs.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:F0}")));
        }
    }

    /// <summary>Every run of one corpus so far: its compiles and each set's analyses.</summary>
    private sealed class CorpusRuns
    {
        public CorpusRuns(IReadOnlyList<AnalyzerSet> sets)
            => Sets = sets.ToDictionary(s => s.Name, _ => new List<AnalysisRun>());

        public List<(double Ms, double AllocatedMb, int Errors)> Compiles { get; } = new();

        public Dictionary<string, List<AnalysisRun>> Sets { get; }

        public CorpusResult Summarize(Corpus corpus, IReadOnlyList<AnalyzerSet> sets)
        {
            var results = sets.Select(set =>
            {
                var setRuns = Sets[set.Name];
                var perAnalyzer = setRuns[0].PerAnalyzerMs.Keys.ToDictionary(k => k, k => Median(setRuns.Select(r => r.PerAnalyzerMs[k])), StringComparer.Ordinal);
                return new SetResult(
                    set.Name,
                    Median(setRuns.Select(r => r.PerAnalyzerMs.Values.Sum())),
                    Median(setRuns.Select(r => r.WallMs)),
                    Median(setRuns.Select(r => r.AllocatedMb)),
                    Median(setRuns.Select(r => r.GcPauseMs)),
                    setRuns[^1].Diagnostics,
                    setRuns.Max(r => r.Exceptions),
                    perAnalyzer);
            }).ToList();
            return new CorpusResult(corpus.Name, corpus.Lines, Compiles[^1].Errors, Median(Compiles.Select(c => c.Ms)), Median(Compiles.Select(c => c.AllocatedMb)), results, corpus.IsReal);
        }
    }

    /// <summary>
    /// A full collection with its finalizers run: a finalizer still running when the analysis starts (the weak tables
    /// keyed by the last run's compilations clean up in them) holds locks the analyzers' first callbacks then wait for.
    /// </summary>
    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static void BuildNamespaces(INamespaceSymbol root)
    {
        var pending = new Stack<INamespaceSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            foreach (var child in pending.Pop().GetNamespaceMembers())
                pending.Push(child);
        }
    }
}
