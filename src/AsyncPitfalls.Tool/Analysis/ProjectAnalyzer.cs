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
internal sealed record AnalysisSettings(RuleCatalog Rules, ToolPreset? Preset, string? FingerprintDirectory, int MaxParallelism);

/// <summary>
/// Runs the rules over every C# project, up to <see cref="AnalysisSettings.MaxParallelism"/> at once. Each project is
/// compiled in a snapshot of its own (the project and the projects it references, nothing else), analyzed, reduced to
/// its findings, and dropped: memory holds at most that many compilations (with their references), never the
/// whole solution's. The price: a project referenced by several is parsed once for each of them.
/// </summary>
internal static class ProjectAnalyzer
{
    public static async Task<ImmutableArray<ProjectResult>> AnalyzeAsync(
        LoadedCode code, AnalysisSettings settings, TextWriter progress, ConcurrentBag<AnalyzerFailure> failures, CancellationToken cancellationToken)
    {
        var byId = code.Projects.ToDictionary(p => p.Id);
        var targets = code.Projects.Where(p => p.Language == LanguageNames.CSharp).ToList();
        var results = new ProjectResult?[targets.Count];
        var done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.MaxParallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), options, async (index, ct) =>
        {
            var result = await AnalyzeOneAsync(code.Host, targets[index], byId, settings, failures, ct);
            results[index] = result;
            var finished = Interlocked.Increment(ref done);
            var errors = result.CompilerErrors > 0 ? $", {result.CompilerErrors} compiler errors (restored? results may be incomplete)" : "";
            lock (progress)
                progress.WriteLine($"  [{finished}/{targets.Count}] {targets[index].Name}: {result.Findings.Length} findings in {result.Duration.TotalSeconds:0.0} s{errors}");
        });

        // The target frameworks of one project are one row.
        return results
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
    }

    private static async Task<ProjectResult> AnalyzeOneAsync(
        Microsoft.CodeAnalysis.Host.HostServices host,
        ProjectInfo target,
        Dictionary<ProjectId, ProjectInfo> byId,
        AnalysisSettings settings,
        ConcurrentBag<AnalyzerFailure> failures,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (name, framework) = SplitName(target.Name);
        var projectPath = target.FilePath ?? target.Name;

        var infos = ReferenceClosure(target.Id, byId)
            .Select(id => id == target.Id ? WithPreset(byId[id], settings.Preset) : byId[id])
            .ToList();
        using var workspace = new AdhocWorkspace(host);
        var solution = workspace.AddSolution(SolutionInfo.Create(SolutionId.CreateNewId(), VersionStamp.Default, projects: infos));
        var project = solution.GetProject(target.Id)!;
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
                failures.Add(new AnalyzerFailure(target.Name, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
            else if (ruleIds.Contains(diagnostic.Id))
            {
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

    /// <summary>The project and every project it references, directly or not.</summary>
    private static List<ProjectId> ReferenceClosure(ProjectId root, Dictionary<ProjectId, ProjectInfo> byId)
    {
        var seen = new HashSet<ProjectId> { root };
        var order = new List<ProjectId> { root };
        for (var i = 0; i < order.Count; i++)
        {
            foreach (var reference in byId[order[i]].ProjectReferences)
            {
                if (byId.ContainsKey(reference.ProjectId) && seen.Add(reference.ProjectId))
                    order.Add(reference.ProjectId);
            }
        }

        return order;
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
