using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AsyncPitfalls.Tests.Samples;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace AsyncPitfalls.Tests.Conventions;

/// <summary>
/// Every rule page reads the same way: the sections a user looks for, as <c>##</c> headings, in one order
/// (other sections may stand between them). A rule of the descriptors without a page fails here too.
/// </summary>
public sealed class RulePageSectionTests
{
    /// <summary>
    /// The sections in their order; each entry lists the headings that count for it. The code fix section has
    /// the names <see cref="RuleConventionTests"/> already holds the pages to: one for a rule with a fix, or
    /// with several, and "Code fix" (whose text starts with "None.") for a rule without one.
    /// </summary>
    private static readonly (string Section, string[] WithFix, string[] WithoutFix)[] Sections =
    [
        ("Cause", ["Cause"], ["Cause"]),
        ("Why it matters", ["Why it matters"], ["Why it matters"]),
        ("How to fix", ["How to fix"], ["How to fix"]),
        ("What the code fix does", ["What the code fix does", "What the code fixes do"], ["Code fix"]),
        ("Options", ["Options"], ["Options"]),
        ("When to suppress", ["When to suppress"], ["When to suppress"]),
        ("Related rules in other analyzers", ["Related rules in other analyzers"], ["Related rules in other analyzers"]),
    ];

    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var id in AnalyzerRunner.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal))
            data.Add(id);
        return data;
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void RulePage_HasTheSectionsInOrder(string id)
    {
        var page = RepositoryPaths.Combine("docs", "rules", id + ".md");
        Assert.True(File.Exists(page), $"docs/rules/{id}.md is missing: every rule of the descriptors needs a page");

        var missing = MissingOrOutOfOrder(File.ReadAllLines(page), FixedIds.Contains(id));
        Assert.True(missing is null, $"docs/rules/{id}.md: {missing}");
    }

    /// <summary>The check itself, on a page's lines: null when every section is there in order, else what is wrong.</summary>
    internal static string? MissingOrOutOfOrder(IReadOnlyList<string> lines, bool hasFix)
    {
        // Lines inside fenced code blocks are not headings (an .ini block's '# comment' is not one either).
        var headings = new List<string>();
        var inFence = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
                inFence = !inFence;
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
                headings.Add(line.Substring(3).Trim());
        }

        var after = -1;
        string? previous = null;
        foreach (var (section, withFix, withoutFix) in Sections)
        {
            var names = hasFix ? withFix : withoutFix;
            var at = headings.FindIndex(h => names.Contains(h, StringComparer.Ordinal));
            if (at < 0)
                return $"no '## {names[0]}' section";
            if (at <= after)
                return $"'## {headings[at]}' comes before '## {previous}'; the order is {string.Join(", ", Sections.Select(s => s.Section))}";
            after = at;
            previous = headings[at];
        }

        return null;
    }

    [Fact]
    public void Check_FailsOnAMissingOrMisplacedSection()
    {
        string[] complete =
        [
            "# AP9999: Title", "## Cause", "## Why it matters", "## Not reported", "```ini", "## Options", "```",
            "## How to fix", "## What the code fix does", "## Options", "## When to suppress", "## Related rules in other analyzers",
        ];
        Assert.Null(MissingOrOutOfOrder(complete, hasFix: true));
        Assert.Contains("## Code fix", MissingOrOutOfOrder(complete, hasFix: false), StringComparison.Ordinal);
        Assert.Contains("When to suppress", MissingOrOutOfOrder(complete.Where(l => l != "## When to suppress").ToArray(), hasFix: true), StringComparison.Ordinal);

        string[] swapped = [.. complete];
        (swapped[1], swapped[2]) = (swapped[2], swapped[1]);
        Assert.Contains("comes before", MissingOrOutOfOrder(swapped, hasFix: true), StringComparison.Ordinal);
    }

    private static readonly HashSet<string> FixedIds = new(typeof(AsyncPitfalls.Rules.ThreadSleepCodeFix).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
        .SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds), StringComparer.Ordinal);
}
