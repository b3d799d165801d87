using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Baselines;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Tool.Analysis;

/// <summary>
/// One diagnostic, kept as plain data once its project's compilation is gone. Lines and columns are 1-based.
/// <see cref="Entry"/> is its baseline fingerprint, when the command asked for fingerprints.
/// </summary>
internal sealed record Finding(
    string RuleId,
    DiagnosticSeverity Severity,
    string Message,
    string? FilePath,
    int StartLine,
    int StartColumn,
    int EndLine,
    int EndColumn,
    string ProjectPath,
    BaselineEntry? Entry)
{
    /// <summary>Equal for the same diagnostic seen in two compilations (the target frameworks of one project, a linked file).</summary>
    public (string, string?, int, int, int, int, string) SameDiagnosticKey => (RuleId, FilePath, StartLine, StartColumn, EndLine, EndColumn, Message);
}

/// <summary>
/// What one project (all its target frameworks) yielded. <see cref="Findings"/> has a diagnostic once per compilation
/// that reported it; <see cref="DistinctFindings"/> once.
/// </summary>
internal sealed record ProjectResult(
    string Name,
    string ProjectPath,
    ImmutableArray<string> TargetFrameworks,
    ImmutableArray<Finding> Findings,
    int CompilerErrors,
    TimeSpan Duration)
{
    public ImmutableArray<Finding> DistinctFindings { get; } = AnalysisResult.Distinct(Findings);
}

/// <summary>An analyzer that threw (AD0001): its findings in that project may be missing.</summary>
internal sealed record AnalyzerFailure(string ProjectName, string Message);

internal sealed record AnalysisResult(
    ImmutableArray<ProjectResult> Projects,
    ImmutableArray<AnalyzerFailure> Failures,
    TimeSpan LoadTime,
    TimeSpan AnalysisTime)
{
    /// <summary>Every finding once, in file and line order, though several compilations saw it.</summary>
    public ImmutableArray<Finding> Findings { get; } = Distinct(Projects.SelectMany(p => p.Findings));

    public static ImmutableArray<Finding> Distinct(IEnumerable<Finding> findings)
    {
        var seen = new HashSet<(string, string?, int, int, int, int, string)>();
        var builder = ImmutableArray.CreateBuilder<Finding>();
        foreach (var finding in findings)
        {
            if (seen.Add(finding.SameDiagnosticKey))
                builder.Add(finding);
        }

        builder.Sort(FindingOrder.Instance);
        return builder.ToImmutable();
    }
}

internal sealed class FindingOrder : IComparer<Finding>
{
    public static readonly FindingOrder Instance = new();

    public int Compare(Finding? x, Finding? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        var c = string.CompareOrdinal(x.FilePath, y.FilePath);
        if (c == 0)
            c = x.StartLine.CompareTo(y.StartLine);
        if (c == 0)
            c = x.StartColumn.CompareTo(y.StartColumn);
        if (c == 0)
            c = string.CompareOrdinal(x.RuleId, y.RuleId);
        return c;
    }
}
