using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Baselines;
using AsyncPitfalls.Tool.Analysis;
using AsyncPitfalls.Tool.Loading;
using AsyncPitfalls.Tool.Reports;

namespace AsyncPitfalls.Tool;

/// <summary>
/// baseline write, check and prune. The fingerprints are the package's own (BaselineFingerprints, in the analyzers
/// assembly), so the tool and the package's suppressor agree on what is in the baseline. Every rule runs, under each
/// project's own configuration, as in its build.
/// </summary>
internal static class BaselineCommands
{
    public const string FileName = BaselineFormat.FileName;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The baseline file: the one named, else asyncpitfalls.baseline.json at the repository root.</summary>
    public static string Locate(CodeTarget target, string? named)
        => named is null ? Path.Combine(target.RepositoryRoot, FileName) : Path.GetFullPath(named);

    public static async Task<int> WriteAsync(CodeTarget target, string baselinePath, RunLimits limits, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var current = await FingerprintAsync(target, baselinePath, limits, progress, cancellationToken);
        await File.WriteAllTextAsync(baselinePath, BaselineFormat.Write(current.Keys), Utf8, cancellationToken);
        output.WriteLine($"Wrote {current.Count} finding(s) to {baselinePath}");
        return ExitCodes.Success;
    }

    public static async Task<int> CheckAsync(CodeTarget target, string baselinePath, RunLimits limits, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        if (!TryRead(baselinePath, progress, out var baseline))
            return ExitCodes.UsageError;
        var current = await FingerprintAsync(target, baselinePath, limits, progress, cancellationToken);
        var comparison = Compare(baseline, current);
        var folder = Path.GetDirectoryName(baselinePath)!;

        output.WriteLine($"Baseline {baselinePath}: {comparison.New.Count} new, {comparison.Fixed.Count} fixed, {comparison.Unchanged.Count} unchanged");
        if (comparison.New.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"New findings ({comparison.New.Count}), not in the baseline:");
            foreach (var finding in comparison.New)
                output.WriteLine($"  {ScanReport.RelativePath(folder, finding.FilePath)}:{finding.StartLine}:{finding.StartColumn}: {ScanReport.SeverityName(finding.Severity)} {finding.RuleId}: {finding.Message}");
        }

        if (comparison.Fixed.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Fixed ({comparison.Fixed.Count}), in the baseline but no longer found; 'asyncpitfalls baseline prune' removes them:");
            foreach (var entry in comparison.Fixed)
                output.WriteLine($"  {entry.File}: {entry.Rule} in {(entry.Member.Length == 0 ? "(no member)" : entry.Member)}");
        }

        return comparison.New.Count > 0 ? ExitCodes.Findings : ExitCodes.Success;
    }

    public static async Task<int> PruneAsync(CodeTarget target, string baselinePath, RunLimits limits, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        if (!TryRead(baselinePath, progress, out var baseline))
            return ExitCodes.UsageError;
        var current = await FingerprintAsync(target, baselinePath, limits, progress, cancellationToken);
        var comparison = Compare(baseline, current);
        await File.WriteAllTextAsync(baselinePath, BaselineFormat.Write(comparison.Unchanged), Utf8, cancellationToken);
        output.WriteLine($"Removed {comparison.Fixed.Count} fixed finding(s) from {baselinePath}; {comparison.Unchanged.Count} remain"
            + (comparison.New.Count > 0 ? $" ({comparison.New.Count} new finding(s) not added: 'baseline write' adds them)" : ""));
        return ExitCodes.Success;
    }

    internal sealed record Comparison(IReadOnlyList<Finding> New, IReadOnlyList<BaselineEntry> Fixed, IReadOnlyList<BaselineEntry> Unchanged);

    /// <summary>
    /// Multiset difference: an entry of the baseline matches one current finding with the same fingerprint. The
    /// ordinal already tells equal findings of one member apart, so this only matters for a hand-edited file.
    /// </summary>
    internal static Comparison Compare(ImmutableArray<BaselineEntry> baseline, IReadOnlyDictionary<BaselineEntry, Finding> current)
    {
        var remaining = new Dictionary<BaselineEntry, int>();
        foreach (var entry in baseline)
            remaining[entry] = remaining.TryGetValue(entry, out var n) ? n + 1 : 1;

        var added = new List<Finding>();
        var unchanged = new List<BaselineEntry>();
        foreach (var (entry, finding) in current)
        {
            if (remaining.TryGetValue(entry, out var n) && n > 0)
            {
                remaining[entry] = n - 1;
                unchanged.Add(entry);
            }
            else
            {
                added.Add(finding);
            }
        }

        var fixedEntries = new List<BaselineEntry>();
        foreach (var entry in baseline)
        {
            if (remaining[entry] > 0)
            {
                remaining[entry]--;
                fixedEntries.Add(entry);
            }
        }

        added.Sort(FindingOrder.Instance);
        return new Comparison(added, fixedEntries, unchanged);
    }

    /// <summary>
    /// Every current finding's fingerprint, once: a diagnostic seen by two compilations (target frameworks, a linked
    /// file) has the same fingerprint in each, and the suppressor matches it in each build.
    /// </summary>
    private static async Task<Dictionary<BaselineEntry, Finding>> FingerprintAsync(
        CodeTarget target, string baselinePath, RunLimits limits, TextWriter progress, CancellationToken cancellationToken)
    {
        var settings = new AnalysisSettings(RuleCatalog.All, Preset: null, FingerprintDirectory: Path.GetDirectoryName(baselinePath)!, limits);
        var result = await Scanner.RunAsync(target, settings, progress, cancellationToken);
        var current = new Dictionary<BaselineEntry, Finding>();
        foreach (var finding in result.Projects.SelectMany(p => p.Findings))
            current.TryAdd(finding.Entry!, finding);
        return current;
    }

    private static bool TryRead(string baselinePath, TextWriter errors, out ImmutableArray<BaselineEntry> entries)
    {
        entries = [];
        if (!File.Exists(baselinePath))
        {
            errors.WriteLine($"error: there is no baseline at {baselinePath}; 'asyncpitfalls baseline write' writes one.");
            return false;
        }

        if (!BaselineFormat.TryParse(File.ReadAllText(baselinePath), out entries, out var problem))
        {
            errors.WriteLine($"error: {baselinePath} is not a baseline: {problem}");
            return false;
        }

        return true;
    }
}
