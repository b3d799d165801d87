using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Baselines;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Benchmarks;

/// <summary>
/// What the baseline suppressor costs next to the analyzers it follows (issue 28: under 5%). Each corpus gets a
/// baseline of every finding, the worst case for the suppressor: it fingerprints and suppresses every diagnostic. Each
/// run is a fresh compilation and a fresh suppressor (so the baseline is parsed again every time, as in a build), one
/// callback at a time, with the driver's per-analyzer execution time.
/// </summary>
public static class BaselineCost
{
    private const string Root = "/corpus";

    public static async Task<int> RunAsync(AnalyzerSet ours, IReadOnlyList<(string Label, Corpus Corpus)> corpora, int iterations, CancellationToken cancellationToken)
    {
        var failed = false;
        Console.WriteLine($"baseline suppressor cost: {iterations} run(s) per corpus, medians; analyzers = the {ours.Analyzers.Length} AsyncPitfalls analyzers");
        Console.WriteLine("| Corpus | Findings | Baseline | Analyzers | Suppressor | Suppressor / analyzers | Left unsuppressed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (label, corpus) in corpora)
        {
            var baseline = await BaselineOfEveryFindingAsync(ours, corpus, cancellationToken).ConfigureAwait(false);
            var analyzerMs = new List<double>();
            var suppressorMs = new List<double>();
            var unsuppressed = 0;
            var exceptions = 0;
            // One run off the record: JIT of the suppressor and of the fingerprinting.
            for (var run = 0; run <= iterations; run++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var suppressor = new BaselineSuppressor();
                var compilation = corpus.Compile(corpus.Trees, ours.EnableEverything());
                _ = compilation.Assembly;
                var options = new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions(ImmutableArray.Create<AdditionalText>(new BaselineText(Root + "/" + BaselineFormat.FileName, baseline.Text))),
                    onAnalyzerException: (_, _, _) => Interlocked.Increment(ref exceptions),
                    concurrentAnalysis: false,
                    logAnalyzerExecutionTime: true,
                    reportSuppressedDiagnostics: true);
                var withAnalyzers = compilation.WithAnalyzers(ours.Analyzers.Add(suppressor), options);
                var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
                if (run == 0)
                    continue;
                var analyzers = 0.0;
                foreach (var analyzer in ours.Analyzers)
                    analyzers += (await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, cancellationToken).ConfigureAwait(false)).ExecutionTime.TotalMilliseconds;
                analyzerMs.Add(analyzers);
                suppressorMs.Add((await withAnalyzers.GetAnalyzerTelemetryInfoAsync(suppressor, cancellationToken).ConfigureAwait(false)).ExecutionTime.TotalMilliseconds);
                unsuppressed = Math.Max(unsuppressed, diagnostics.Count(d => !d.IsSuppressed));
            }

            var analyzersMedian = Measurement.Median(analyzerMs);
            var suppressorMedian = Measurement.Median(suppressorMs);
            Console.WriteLine($"| {label} | {baseline.Findings:N0} | {baseline.Text.Length / 1024.0:N0} KB | {analyzersMedian:N0} ms | {suppressorMedian:N1} ms | {100 * suppressorMedian / analyzersMedian:F2}% | {unsuppressed} |");
            Console.WriteLine($"  outside the driver: parse {baseline.ParseMs:N1} ms, fingerprint every finding (a second time) {baseline.FingerprintMs:N1} ms, "
                + $"the driver's ReportedDiagnostics.Contains check of every suppression {baseline.DriverCheckMs:N1} ms");
            failed |= unsuppressed > 0 || exceptions > 0;
            if (exceptions > 0)
                Console.WriteLine($"  {exceptions} analyzer exception(s)");
        }
        return failed ? 1 : 0;
    }

    private static async Task<(string Text, int Findings, double ParseMs, double FingerprintMs, double DriverCheckMs)> BaselineOfEveryFindingAsync(AnalyzerSet ours, Corpus corpus, CancellationToken cancellationToken)
    {
        var compilation = corpus.Compile(corpus.Trees, ours.EnableEverything());
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(ours.Analyzers, options);
        var findings = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);

        // On the compilation the analyzers bound, as the suppressor gets it; the first pass off the record (JIT, and the
        // semantic models the driver dropped when it finished each tree).
        var analyzed = withAnalyzers.Compilation;
        _ = BaselineFingerprints.Compute(findings, Root, tree => analyzed.GetSemanticModel(tree), cancellationToken);
        var fingerprinting = Stopwatch.StartNew();
        var entries = BaselineFingerprints.Compute(findings, Root, tree => analyzed.GetSemanticModel(tree), cancellationToken).Select(p => p.Entry).ToList();
        var fingerprintMs = fingerprinting.Elapsed.TotalMilliseconds;
        var text = BaselineFormat.Write(entries);

        var parsing = Stopwatch.StartNew();
        if (!BaselineFormat.TryParse(text, out var parsed, out var error) || parsed.Length != entries.Count)
            throw new InvalidOperationException("the baseline written does not read back: " + error);
        var parseMs = parsing.Elapsed.TotalMilliseconds;

        // SuppressionAnalysisContext.ReportSuppression checks each suppression with ReportedDiagnostics.Contains: linear
        // per suppression, so suppressing n findings costs the driver n^2/2 comparisons, charged to the suppressor.
        var checking = Stopwatch.StartNew();
        _ = findings.Count(d => findings.Contains(d));
        return (text, entries.Count, parseMs, fingerprintMs, checking.Elapsed.TotalMilliseconds);
    }

    private sealed class BaselineText : AdditionalText
    {
        private readonly SourceText _text;

        public BaselineText(string path, string text)
        {
            Path = path;
            _text = SourceText.From(text);
        }

        public override string Path { get; }

        public override SourceText? GetText(CancellationToken cancellationToken = default) => _text;
    }
}
