using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Baselines;
using AsyncPitfalls.Tool.Loading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tool.Analysis;

/// <summary>What to run and what to keep.</summary>
internal sealed record AnalysisSettings(RuleCatalog Rules, ToolPreset? Preset, string? FingerprintDirectory, RunLimits Limits);

/// <summary>How many projects are analyzed at once, and the managed heap above which cached compilations are dropped.</summary>
internal sealed record RunLimits(int MaxParallelism, long MemoryLimitBytes)
{
    /// <summary>The default memory limit: a third of what the process may use.</summary>
    public static long DefaultMemoryLimitBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 3;
}

/// <summary>
/// Runs the rules over every C# project, up to <see cref="RunLimits.MaxParallelism"/> at once, dependencies
/// first, so a project's references are compiled once and reused by the projects that reference them. Of each project
/// only the findings are kept; its compilation stays cached (for the projects that reference it) until the managed heap
/// passes <see cref="RunLimits.MemoryLimitBytes"/>: then the whole cache is dropped and the next projects start
/// from a fresh snapshot, recompiling the references they need. Memory stays near the limit whatever the size of the
/// solution, at the price of compiling some projects again.
/// </summary>
internal static class ProjectAnalyzer
{
    public static async Task<(ImmutableArray<ProjectResult> Projects, int Resets)> AnalyzeAsync(
        LoadedCode code, AnalysisSettings settings, TextWriter progress, ConcurrentBag<AnalyzerFailure> failures, CancellationToken cancellationToken)
    {
        var snapshots = new SolutionSnapshots(code.Host, code.Projects.Select(p => WithPreset(p, settings.Preset)).ToImmutableArray(), settings.Limits.MemoryLimitBytes);
        var first = snapshots.Current;
        var targets = first.GetProjectDependencyGraph().GetTopologicallySortedProjects(cancellationToken)
            .Where(id => first.GetProject(id)?.Language == LanguageNames.CSharp)
            .ToList();
        var results = new ProjectResult?[targets.Count];
        var done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Limits.MaxParallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), options, async (index, ct) =>
        {
            var project = snapshots.Current.GetProject(targets[index])!;
            var result = await AnalyzeOneAsync(project, settings, failures, ct);
            results[index] = result;
            snapshots.AfterProject();
            var finished = Interlocked.Increment(ref done);
            var errors = result.CompilerErrors > 0 ? $", {result.CompilerErrors} compiler errors (restored? results may be incomplete)" : "";
            lock (progress)
                progress.WriteLine($"  [{finished}/{targets.Count}] {project.Name}: {result.Findings.Length} findings in {result.Duration.TotalSeconds:0.0} s{errors}");
        });

        // The target frameworks of one project are one row.
        var projects = results
            .Select(r => r!)
            .GroupBy(r => r.ProjectPath, StringComparer.Ordinal)
            .Select(g => new ProjectResult(
                g.First().Name,
                g.Key,
                g.SelectMany(r => r.TargetFrameworks).Distinct(StringComparer.Ordinal).ToImmutableArray(),
                g.SelectMany(r => r.Findings).ToImmutableArray(),
                g.Max(r => r.CompilerErrors),
                TimeSpan.FromTicks(g.Sum(r => r.Duration.Ticks))))
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToImmutableArray();
        return (projects, snapshots.Resets);
    }

    private static async Task<ProjectResult> AnalyzeOneAsync(
        Project project, AnalysisSettings settings, ConcurrentBag<AnalyzerFailure> failures, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (name, framework) = SplitName(project.Name);
        var projectPath = project.FilePath ?? project.Name;
        var compilation = await project.GetCompilationAsync(cancellationToken);
        if (compilation is null)
            return new ProjectResult(name, projectPath, Frameworks(framework), [], 0, clock.Elapsed);

        var withAnalyzers = compilation.WithAnalyzers(
            settings.Rules.Analyzers,
            new CompilationWithAnalyzersOptions(
                project.AnalyzerOptions, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        // The compiler's own diagnostics come with the analysis at little extra cost: errors mean missing references
        // (a project not restored), and so rules that may have found less than they would.
        var all = await withAnalyzers.GetAllDiagnosticsAsync(cancellationToken);

        var ruleIds = settings.Rules.RuleIds;
        var compilerErrors = 0;
        var reported = new List<Diagnostic>();
        foreach (var diagnostic in all)
        {
            if (diagnostic.Id == "AD0001")
                failures.Add(new AnalyzerFailure(project.Name, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
            else if (ruleIds.Contains(diagnostic.Id))
            {
                // What the build reports, and so what the package's baseline suppressor fingerprints: not what a
                // #pragma, [SuppressMessage] or a 'none' severity line suppresses.
                if (diagnostic.Severity != DiagnosticSeverity.Hidden && !diagnostic.IsSuppressed)
                    reported.Add(diagnostic);
            }
            else if (diagnostic.Severity == DiagnosticSeverity.Error && !diagnostic.IsSuppressed && !diagnostic.Descriptor.CustomTags.Contains(WellKnownDiagnosticTags.AnalyzerException))
                compilerErrors++;
        }

        var findings = new List<Finding>(reported.Count);
        if (settings.FingerprintDirectory is { } baselineDirectory)
        {
            foreach (var (diagnostic, entry) in BaselineFingerprints.Compute(reported, baselineDirectory, tree => compilation.GetSemanticModel(tree), cancellationToken))
                findings.Add(ToFinding(diagnostic, projectPath, entry));
        }
        else
        {
            findings.AddRange(reported.Select(d => ToFinding(d, projectPath, entry: null)));
        }

        return new ProjectResult(name, projectPath, Frameworks(framework), [.. findings], compilerErrors, clock.Elapsed);
    }

    private static ImmutableArray<string> Frameworks(string? framework) => framework is null ? [] : [framework];

    private static Finding ToFinding(Diagnostic diagnostic, string projectPath, BaselineEntry? entry)
    {
        var span = diagnostic.Location.GetLineSpan();
        var path = diagnostic.Location.IsInSource || span.IsValid ? span.Path : null;
        return new Finding(
            diagnostic.Id,
            diagnostic.Severity,
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
            string.IsNullOrEmpty(path) ? null : path,
            span.StartLinePosition.Line + 1,
            span.StartLinePosition.Character + 1,
            span.EndLinePosition.Line + 1,
            span.EndLinePosition.Character + 1,
            projectPath,
            entry);
    }

    /// <summary>The project with the preset passed to the analyzers the way the package's build files pass it.</summary>
    private static ProjectInfo WithPreset(ProjectInfo info, ToolPreset? preset)
    {
        if (preset is not { } chosen)
            return info;
        // Global configs apply wherever they are; the paths only have to be absolute and distinct.
        var folder = Path.Combine(Path.GetDirectoryName(info.FilePath) ?? Path.GetTempPath(), ".asyncpitfalls-tool");
        var configs = info.AnalyzerConfigDocuments.ToList();
        configs.Add(ConfigDocument(info.Id, Path.Combine(folder, "AsyncPitfallsMode.globalconfig"), ToolPresets.ModeConfig(chosen)));
        if (chosen == ToolPreset.Strict)
            configs.Add(ConfigDocument(info.Id, Path.Combine(folder, "AsyncPitfalls.Strict.globalconfig"), ToolPresets.StrictConfig));
        return info.WithAnalyzerConfigDocuments(configs);
    }

    private static DocumentInfo ConfigDocument(ProjectId project, string path, string text)
        => DocumentInfo.Create(
            DocumentId.CreateNewId(project),
            Path.GetFileName(path),
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(text), VersionStamp.Default, path)),
            filePath: path);

    /// <summary>MSBuild names each target framework's project "Name(tfm)".</summary>
    private static (string Name, string? Framework) SplitName(string projectName)
    {
        var match = Regex.Match(projectName, @"^(?<name>.*)\((?<tfm>[^()]+)\)$");
        return match.Success ? (match.Groups["name"].Value, match.Groups["tfm"].Value) : (projectName, null);
    }
}
