using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Tool.Loading;

namespace AsyncPitfalls.Tool.Analysis;

/// <summary>Loads the code a path names and runs the rules over it, reporting progress on the given writer.</summary>
internal static class Scanner
{
    public static async Task<AnalysisResult> RunAsync(CodeTarget target, AnalysisSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var code = await CodeLoader.LoadAsync(target, progress, cancellationToken);
        var loadTime = clock.Elapsed;
        foreach (var problem in code.Problems.Distinct())
            progress.WriteLine($"  warning: {problem}");
        var csharp = code.Projects.Count(p => p.Language == Microsoft.CodeAnalysis.LanguageNames.CSharp);
        progress.WriteLine(
            $"Loaded {csharp} C# project(s) in {loadTime.TotalSeconds:0.0} s ({Megabytes(GC.GetTotalMemory(false))} MB managed heap); analyzing with "
            + $"{settings.Rules.Rules.Length} rule(s), {settings.Limits.MaxParallelism} at a time, memory limit {Megabytes(settings.Limits.MemoryLimitBytes)} MB");

        clock.Restart();
        var failures = new ConcurrentBag<AnalyzerFailure>();
        var (projects, resets) = await ProjectAnalyzer.AnalyzeAsync(code, settings, progress, failures, cancellationToken);
        var analysisTime = clock.Elapsed;
        foreach (var failure in failures.OrderBy(f => f.ProjectName, System.StringComparer.Ordinal))
            progress.WriteLine($"  warning: an analyzer failed in {failure.ProjectName}: {failure.Message}");
        var dropped = resets == 0 ? "" : $"; the cached compilations were dropped {resets} time(s) to stay under the memory limit";
        progress.WriteLine($"Analyzed in {analysisTime.TotalSeconds:0.0} s{dropped}");
        return new AnalysisResult(projects, failures.ToImmutableArray(), loadTime, analysisTime);
    }

    private static long Megabytes(long bytes) => bytes / (1024 * 1024);
}
