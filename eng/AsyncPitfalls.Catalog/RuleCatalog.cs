using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Catalog;

/// <summary>One row of the catalogs: what the descriptors say about a rule, and its code fix in a few words.</summary>
public sealed record Rule(string Id, string Title, string Category, DiagnosticSeverity DefaultSeverity, string HelpLink, string CodeFix);

public static class RuleCatalog
{
    public const string CodeFixPrefix = "<!-- catalog code fix: ";
    public const string CodeFixSuffix = " -->";

    /// <summary>Every rule the analyzers assembly ships, ordered by ID.</summary>
    public static IReadOnlyList<Rule> Load(string root)
    {
        var descriptors = typeof(HelpLinks).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics);

        var rules = new List<Rule>();
        foreach (var group in descriptors.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // A rule may have several descriptors (AP3001 reports live and at compilation end); the catalogs
            // show one row, so the descriptors must agree on everything the row shows.
            var shown = group.Select(d => (Title: d.Title.ToString(CultureInfo.InvariantCulture), d.Category, d.DefaultSeverity, d.HelpLinkUri)).Distinct().ToList();
            if (shown.Count > 1)
                throw new CatalogException($"the descriptors of {group.Key} differ in title, category, default severity or help link");

            var (title, category, severity, helpLink) = shown[0];
            if (string.IsNullOrEmpty(helpLink))
                throw new CatalogException($"{group.Key} has no help link; the package README links each rule through it");
            rules.Add(new Rule(group.Key, title, category, severity, helpLink, ReadCodeFix(root, group.Key)));
        }

        if (rules.Count == 0)
            throw new CatalogException("no analyzers found in " + typeof(HelpLinks).Assembly.Location);
        return rules;
    }

    // The rule's page is where its fix is described in full, so the short form for the tables sits next to
    // that description: whoever changes the fix sees it.
    private static string ReadCodeFix(string root, string id)
    {
        var page = Path.Combine("docs", "rules", id + ".md");
        if (!File.Exists(Path.Combine(root, page)))
            throw new CatalogException($"{page} is missing");

        var lines = File.ReadLines(Path.Combine(root, page))
            .Where(l => l.StartsWith(CodeFixPrefix, StringComparison.Ordinal) && l.EndsWith(CodeFixSuffix, StringComparison.Ordinal))
            .ToList();
        if (lines.Count != 1 || lines[0].Length <= CodeFixPrefix.Length + CodeFixSuffix.Length)
            throw new CatalogException($"{page} needs one line '{CodeFixPrefix}<the Code fix column of the rule tables>{CodeFixSuffix}' under its header table");
        return lines[0][CodeFixPrefix.Length..^CodeFixSuffix.Length].Trim();
    }
}
