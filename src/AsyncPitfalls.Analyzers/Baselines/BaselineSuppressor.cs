using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Baselines;

/// <summary>
/// Suppresses exactly the findings listed in <c>asyncpitfalls.baseline.json</c> (an AdditionalFile, added by the
/// package's build files when the file exists above the project), so that a team can turn the rules on in a code
/// base with existing findings and have builds and the IDE report only new ones. A baseline that cannot be read
/// suppresses nothing.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BaselineSuppressor : DiagnosticSuppressor
{
    internal const string Justification = "in the AsyncPitfalls baseline";

    /// <summary>The property the build files pass (CompilerVisibleProperty) when it names the baseline.</summary>
    internal const string BaselineProperty = "build_property.AsyncPitfallsBaseline";

    /// <summary>One suppression per rule, APB1001 for AP1001: every constant of <see cref="DiagnosticIds"/>, so a new rule is covered.</summary>
    private static readonly ImmutableDictionary<string, SuppressionDescriptor> s_byRule = typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue())
        .Distinct(StringComparer.Ordinal)
        .ToImmutableDictionary(id => id, id => new SuppressionDescriptor(SuppressionIdFor(id), id, Justification), StringComparer.Ordinal);

    private readonly ParsedBaselines _baselines = new();

    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } =
        s_byRule.Values.OrderBy(d => d.SuppressedDiagnosticId, StringComparer.Ordinal).ToImmutableArray();

    /// <summary>How many times this instance parsed a baseline text (once per distinct content).</summary>
    internal int ParseCount => _baselines.ParseCount;

    internal static string SuppressionIdFor(string ruleId)
        => ruleId.StartsWith("AP", StringComparison.Ordinal) ? "APB" + ruleId.Substring(2) : "APB" + ruleId;

    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        var file = FindBaseline(context.Options);
        if (file is null)
            return;
        var text = file.GetText(context.CancellationToken);
        if (text is null)
            return;
        var baseline = _baselines.Get(text);
        if (baseline.Entries.Count == 0)
            return;

        var candidates = context.ReportedDiagnostics.Where(d => baseline.Rules.Contains(d.Id) && !d.IsSuppressed);
        var directory = DirectoryOf(file.Path);
        var compilation = context.Compilation;
        var fingerprints = BaselineFingerprints.Compute(
            candidates,
            directory,
            tree => compilation.ContainsSyntaxTree(tree) ? context.GetSemanticModel(tree) : null,
            baseline.Includes,
            context.CancellationToken);
        foreach (var (diagnostic, entry) in fingerprints)
        {
            if (baseline.Entries.Contains(entry) && s_byRule.TryGetValue(diagnostic.Id, out var descriptor))
                context.ReportSuppression(Suppression.Create(descriptor, diagnostic));
        }
    }

    /// <summary>
    /// The AdditionalFile named <c>asyncpitfalls.baseline.json</c>, or named as the file the build property
    /// <c>AsyncPitfallsBaseline</c> points at; the one at that exact path first.
    /// </summary>
    private static AdditionalText? FindBaseline(AnalyzerOptions options)
    {
        string? configured = null;
        if (options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(BaselineProperty, out var property) && !string.IsNullOrWhiteSpace(property))
            configured = BaselineFingerprints.NormalizePath(property.Trim());
        var configuredName = configured is null ? null : FileNameOf(configured);

        AdditionalText? found = null;
        foreach (var file in options.AdditionalFiles)
        {
            var path = BaselineFingerprints.NormalizePath(file.Path ?? "");
            var name = FileNameOf(path);
            if (configured is not null && string.Equals(path, configured, StringComparison.OrdinalIgnoreCase))
                return file;
            if (found is null
                && (string.Equals(name, BaselineFormat.FileName, StringComparison.OrdinalIgnoreCase)
                    || (configuredName is not null && string.Equals(name, configuredName, StringComparison.OrdinalIgnoreCase))))
                found = file;
        }
        return found;
    }

    private static string FileNameOf(string normalizedPath)
    {
        var slash = normalizedPath.LastIndexOf('/');
        return slash < 0 ? normalizedPath : normalizedPath.Substring(slash + 1);
    }

    private static string DirectoryOf(string? path)
    {
        var normalized = BaselineFingerprints.NormalizePath(path ?? "");
        var slash = normalized.LastIndexOf('/');
        return slash < 0 ? "" : normalized.Substring(0, slash + 1);
    }

    /// <summary>A baseline read into sets: the entries, and which rules and (rule, file) pairs occur, to skip the rest cheaply.</summary>
    private sealed class Baseline
    {
        public static readonly Baseline Empty = new(ImmutableArray<BaselineEntry>.Empty);

        private readonly HashSet<string> _rulesAndFiles = new(StringComparer.Ordinal);

        public Baseline(ImmutableArray<BaselineEntry> entries)
        {
            foreach (var entry in entries)
            {
                Entries.Add(entry);
                Rules.Add(entry.Rule);
                _rulesAndFiles.Add(entry.Rule + "\n" + entry.File);
            }
            Includes = (rule, file) => _rulesAndFiles.Contains(rule + "\n" + file);
        }

        public HashSet<BaselineEntry> Entries { get; } = new();

        public HashSet<string> Rules { get; } = new(StringComparer.Ordinal);

        public Func<string, string, bool> Includes { get; }
    }

    /// <summary>
    /// Baselines by content: the host keeps one suppressor instance for many compilations (each edit in the IDE makes
    /// one), and the file rarely changes, so each distinct text is parsed once. Keyed by the text instance first, then
    /// by its checksum; a few contents at most, as a branch switch or an edit of the file adds one.
    /// </summary>
    private sealed class ParsedBaselines
    {
        private const int MaxContents = 8;

        private readonly object _gate = new();
        private readonly ConditionalWeakTable<SourceText, Baseline> _byText = new();
        private readonly Dictionary<string, Baseline> _byChecksum = new(StringComparer.Ordinal);
        private int _parseCount;

        public int ParseCount => Volatile.Read(ref _parseCount);

        public Baseline Get(SourceText text)
        {
            if (_byText.TryGetValue(text, out var known))
                return known;

            var key = Convert.ToBase64String(text.GetChecksum().ToArray()) + ":" + text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Baseline baseline;
            lock (_gate)
            {
                if (!_byChecksum.TryGetValue(key, out baseline!))
                {
                    baseline = BaselineFormat.TryParse(text.ToString(), out var entries, out _) ? new Baseline(entries) : Baseline.Empty;
                    _parseCount++;
                    if (_byChecksum.Count >= MaxContents)
                        _byChecksum.Clear();
                    _byChecksum.Add(key, baseline);
                }
            }
            return _byText.GetValue(text, _ => baseline);
        }
    }
}
