using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using AsyncPitfalls.Tool.Analysis;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Tool.Reports;

/// <summary>
/// A rule's line of the summary: how often it fired, at what severities (configuration may set one per file, highest
/// first), and one place where it did.
/// </summary>
internal sealed record RuleRow(RuleInfo Rule, int Count, ImmutableArray<DiagnosticSeverity> Severities, Finding? Example)
{
    public string SeverityText => string.Join("/", Severities.Select(s => ScanReport.SeverityName(s)));
}

/// <summary>A project's line of the summary.</summary>
internal sealed record ProjectRow(string Name, string RelativePath, ImmutableArray<string> TargetFrameworks, int Findings, int Errors, int Warnings, int Infos, int CompilerErrors);

/// <summary>What every output format shows, computed once: the per-rule and per-project summaries and the findings.</summary>
internal sealed class ScanReport
{
    public ScanReport(string scanned, string root, ToolPreset? preset, RuleCatalog rules, AnalysisResult result)
    {
        Scanned = scanned;
        Root = root;
        Preset = preset;
        Catalog = rules;
        Result = result;
        Findings = result.Findings;
        RuleRows = rules.Rules
            .Select(rule =>
            {
                var mine = Findings.Where(f => f.RuleId == rule.Id).ToList();
                return new RuleRow(
                    rule, mine.Count, mine.Select(f => f.Severity).Distinct().OrderDescending().ToImmutableArray(), mine.FirstOrDefault());
            })
            .ToImmutableArray();
        ProjectRows = result.Projects
            .Select(p => new ProjectRow(
                p.Name,
                Relative(p.ProjectPath),
                p.TargetFrameworks,
                p.DistinctFindings.Length,
                p.DistinctFindings.Count(f => f.Severity == DiagnosticSeverity.Error),
                p.DistinctFindings.Count(f => f.Severity == DiagnosticSeverity.Warning),
                p.DistinctFindings.Count(f => f.Severity == DiagnosticSeverity.Info),
                p.CompilerErrors))
            .ToImmutableArray();
    }

    /// <summary>The solution, project or folder as named on the command line, resolved.</summary>
    public string Scanned { get; }

    /// <summary>The repository root: reported paths are relative to it.</summary>
    public string Root { get; }

    public ToolPreset? Preset { get; }

    public RuleCatalog Catalog { get; }

    public AnalysisResult Result { get; }

    public ImmutableArray<Finding> Findings { get; }

    /// <summary>Every rule that ran, in id order, with or without findings.</summary>
    public ImmutableArray<RuleRow> RuleRows { get; }

    public ImmutableArray<ProjectRow> ProjectRows { get; }

    public int Count(DiagnosticSeverity severity) => Findings.Count(f => f.Severity == severity);

    public string Totals()
        => $"{Findings.Length} finding(s) in {ProjectRows.Length} project(s): {Count(DiagnosticSeverity.Error)} error(s), "
            + $"{Count(DiagnosticSeverity.Warning)} warning(s), {Count(DiagnosticSeverity.Info)} suggestion(s)";

    /// <summary>A path relative to the repository root, with '/' separators; absolute when outside it.</summary>
    public string Relative(string? path) => RelativePath(Root, path);

    public string Location(Finding finding) => $"{Relative(finding.FilePath)}:{finding.StartLine}:{finding.StartColumn}";

    public static string RelativePath(string root, string? path)
    {
        if (string.IsNullOrEmpty(path))
            return "";
        var relative = Path.GetRelativePath(root, path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            return path.Replace('\\', '/');
        return relative.Replace('\\', '/');
    }

    public static string SeverityName(DiagnosticSeverity? severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "info",
        DiagnosticSeverity.Hidden => "hidden",
        _ => "",
    };
}
