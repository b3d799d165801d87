using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tool.Analysis;

/// <summary>One rule as its descriptor states it.</summary>
internal sealed record RuleInfo(
    string Id, string Title, string Category, DiagnosticSeverity DefaultSeverity, bool EnabledByDefault, string HelpUri, string Description);

/// <summary>
/// The analyzers of the package's own assembly (the tool references it, so the tool and the package run the same rules
/// in the same version), optionally narrowed to some rules. Diagnostic suppressors are left out: the tool reports what
/// the rules find; the baseline is compared by the tool itself.
/// </summary>
internal sealed class RuleCatalog
{
    private RuleCatalog(ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<RuleInfo> rules)
    {
        Analyzers = analyzers;
        Rules = rules;
    }

    public ImmutableArray<DiagnosticAnalyzer> Analyzers { get; }

    /// <summary>The rules that run, sorted by id.</summary>
    public ImmutableArray<RuleInfo> Rules { get; }

    public ImmutableHashSet<string> RuleIds => Rules.Select(r => r.Id).ToImmutableHashSet(StringComparer.Ordinal);

    public static RuleCatalog All { get; } = Load();

    /// <summary>The analyzers that report at least one of <paramref name="ids"/>, and only those rules.</summary>
    public bool TrySelect(IReadOnlyCollection<string> ids, out RuleCatalog selected, out string error)
    {
        selected = this;
        error = "";
        var wanted = ids.Select(id => id.Trim().ToUpperInvariant()).Where(id => id.Length > 0).ToImmutableHashSet(StringComparer.Ordinal);
        if (wanted.IsEmpty)
            return true;
        var unknown = wanted.Where(id => !Rules.Any(r => r.Id == id)).OrderBy(id => id, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            error = $"Unknown rule {string.Join(", ", unknown)}; the rules are {string.Join(", ", Rules.Select(r => r.Id))}.";
            return false;
        }

        var analyzers = Analyzers.Where(a => a.SupportedDiagnostics.Any(d => wanted.Contains(d.Id))).ToImmutableArray();
        selected = new RuleCatalog(analyzers, Rules.Where(r => wanted.Contains(r.Id)).ToImmutableArray());
        return true;
    }

    private static RuleCatalog Load()
    {
        var assembly = typeof(DiagnosticIds).Assembly;
        var analyzers = assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !typeof(DiagnosticSuppressor).IsAssignableFrom(t))
            .Where(t => t.GetCustomAttributes<DiagnosticAnalyzerAttribute>().Any(a => a.Languages.Contains(LanguageNames.CSharp)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        var rules = analyzers
            .SelectMany(a => a.SupportedDiagnostics)
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => new RuleInfo(
                d.Id,
                d.Title.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.Category,
                d.DefaultSeverity,
                d.IsEnabledByDefault,
                d.HelpLinkUri,
                d.Description.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToImmutableArray();
        return new RuleCatalog(analyzers, rules);
    }
}
