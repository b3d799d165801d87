using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Catalog;

/// <summary>The generated files: their paths relative to the repository root and their whole text, with '\n' line ends.</summary>
public static class Outputs
{
    private const string SectionName = "rules";

    // docs/README.md groups the rules by family under these headings. A new family needs a line here;
    // a new rule in an existing family needs nothing.
    private static readonly Dictionary<string, string> FamilyHeadings = new(StringComparer.Ordinal)
    {
        [RuleCategories.Blocking] = "AP1xxx Blocking the thread",
        [RuleCategories.UnawaitedTasks] = "AP2xxx Un-awaited tasks",
        [RuleCategories.Locking] = "AP3xxx Locks and shared state",
        [RuleCategories.Resources] = "AP4xxx Resources",
        [RuleCategories.Cancellation] = "AP5xxx Cancellation",
    };

    public static IReadOnlyList<(string Path, string Text)> All(string root, IReadOnlyList<Rule> rules)
    {
        var outputs = new List<(string, string)>
        {
            WithSection(root, "README.md", RootReadmeTable(rules)),
            WithSection(root, Path.Combine("docs", "README.md"), DocsCatalog(rules)),
            WithSection(root, Path.Combine("nuget", "README.md"), PackageReadmeTable(rules)),
        };
        outputs.AddRange(Presets(rules));
        return outputs;
    }

    private static string RootReadmeTable(IReadOnlyList<Rule> rules)
        => Table("| ID | Title | Severity | Code fix |", rules, r => $"| [{r.Id}](docs/rules/{r.Id}.md) | {Cell(r.Title)} | {r.DefaultSeverity} | {Cell(r.CodeFix)} |");

    private static string DocsCatalog(IReadOnlyList<Rule> rules)
    {
        var families = rules.GroupBy(r => r.Category).OrderBy(g => g.First().Id, StringComparer.Ordinal).Select(family =>
        {
            if (!FamilyHeadings.TryGetValue(family.Key, out var heading))
                throw new CatalogException($"category {family.Key} has no heading for docs/README.md: add it to FamilyHeadings in {nameof(Outputs)}.cs");
            return $"### {heading}\n\n" + Table("| ID | Title | Severity | Fix |", family.ToList(), r => $"| [{r.Id}](rules/{r.Id}.md) | {Cell(r.Title)} | {r.DefaultSeverity} | {Cell(r.CodeFix)} |");
        });
        return string.Join("\n", families);
    }

    // nuget.org shows the package README without the repository around it, so the links are absolute:
    // the descriptors' help links, the pages a warning links to.
    private static string PackageReadmeTable(IReadOnlyList<Rule> rules)
        => Table("| ID | Title |", rules, r => $"| [{r.Id}]({r.HelpLink}) | {Cell(r.Title)} |");

    private static string Table(string header, IReadOnlyList<Rule> rules, Func<Rule, string> row)
    {
        var columns = header.Count(c => c == '|') - 1;
        var text = new StringBuilder();
        text.Append(header).Append('\n');
        text.Append('|').Append(string.Concat(Enumerable.Repeat("---|", columns))).Append('\n');
        foreach (var rule in rules)
            text.Append(row(rule)).Append('\n');
        return text.ToString();
    }

    // A '|' ends a table cell even inside a code span; GitHub and nuget.org (Markdig) both read '\|' as the character.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>
    /// The file with the text between its markers replaced by <paramref name="body"/>; the same marker shape as
    /// bench/Shared/DocsSection.cs, which does this for the measured docs pages.
    /// </summary>
    private static (string, string) WithSection(string root, string path, string body)
    {
        var begin = $"<!-- {SectionName}: begin -->";
        var end = $"<!-- {SectionName}: end -->";
        var full = Path.Combine(root, path);
        if (!File.Exists(full))
            throw new CatalogException($"{path} is missing");

        var text = File.ReadAllText(full).Replace("\r\n", "\n", StringComparison.Ordinal);
        var beginAt = text.IndexOf(begin, StringComparison.Ordinal);
        var endAt = beginAt < 0 ? -1 : text.IndexOf(end, beginAt, StringComparison.Ordinal);
        if (beginAt < 0 || endAt < 0 || text.IndexOf(begin, beginAt + begin.Length, StringComparison.Ordinal) >= 0)
            throw new CatalogException($"{path} needs the markers '{begin}' and '{end}', once each, in that order");
        return (path, text[..(beginAt + begin.Length)] + "\n\n" + body + "\n" + text[endAt..]);
    }

    // Strict is the one preset written as configuration (the others are applied by the analyzers as they report; see
    // SeverityPresets): category lines, so that a rule's own line and a category line of the user's win over it.
    private static IEnumerable<(string, string)> Presets(IReadOnlyList<Rule> rules)
    {
        var text = new StringBuilder();
        text.Append("# AsyncPitfalls preset 'Strict': every rule as an error, Info-level rules included: for CI gates.\n");
        text.Append("# Chosen with <AsyncPitfallsMode>Strict</AsyncPitfallsMode>; see docs/configuration.md.\n");
        text.Append("# Category lines at the lowest global level: a rule's own line and a category line of your own, in .editorconfig\n");
        text.Append("# or a .globalconfig, win over them. The all-analyzers line does not: the compiler ranks category lines above it.\n");
        text.Append("# Generated by eng/AsyncPitfalls.Catalog from the descriptors' categories.\n");
        text.Append("is_global = true\n");
        text.Append("global_level = -1\n");
        text.Append('\n');
        foreach (var category in rules.Select(rule => rule.Category).Distinct(StringComparer.Ordinal).OrderBy(category => category, StringComparer.Ordinal))
            text.Append($"dotnet_analyzer_diagnostic.category-{category}.severity = error\n");
        yield return (Path.Combine("nuget", "config", "AsyncPitfalls.Strict.globalconfig"), text.ToString());
    }
}
