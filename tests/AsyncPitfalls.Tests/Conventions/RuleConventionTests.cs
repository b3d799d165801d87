using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using AsyncPitfalls.Tests.Samples;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.Tests.Conventions;

/// <summary>Every descriptor has all the parts a rule needs (see STYLE.md, "One rule, end to end").</summary>
public sealed class RuleConventionTests
{
    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var id in Descriptors.Keys.OrderBy(id => id, StringComparer.Ordinal))
            data.Add(id);
        return data;
    }

    private static readonly Dictionary<string, DiagnosticDescriptor> Descriptors = AnalyzerRunner.AllAnalyzers
        .SelectMany(a => a.SupportedDiagnostics)
        .GroupBy(d => d.Id)
        .ToDictionary(g => g.Key, g => g.First());

    [Fact]
    public void Ids_AreUnique_AndEveryIdConstantIsUsed()
    {
        var perAnalyzer = AnalyzerRunner.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics.Select(d => d.Id).Distinct()).ToList();
        Assert.Equal(perAnalyzer.Count, perAnalyzer.Distinct().Count());

        var constants = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();
        Assert.Equal(constants.OrderBy(x => x), Descriptors.Keys.OrderBy(x => x));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Descriptor_IsComplete(string id)
    {
        var descriptor = Descriptors[id];
        Assert.Matches(@"^AP[1-5]\d{3}$", id);
        Assert.Equal(HelpLinks.For(id), descriptor.HelpLinkUri);
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString()));
        Assert.Contains("{0}", descriptor.MessageFormat.ToString(), StringComparison.Ordinal);
        Assert.Contains(descriptor.Category, typeof(RuleCategories).GetFields().Select(f => (string)f.GetValue(null)!));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void DocsPage_ExistsWithTheDescriptorTitle_AndIsIndexed(string id)
    {
        var page = RepositoryPaths.Combine("docs", "rules", id + ".md");
        Assert.True(File.Exists(page), $"docs/rules/{id}.md is missing");
        Assert.Equal($"# {id}: {Descriptors[id].Title}", File.ReadLines(page).First());
        Assert.Contains($"[{id}](rules/{id}.md)", File.ReadAllText(RepositoryPaths.Combine("docs", "README.md")), StringComparison.Ordinal);
        Assert.Contains($"[{id}](docs/rules/{id}.md)", File.ReadAllText(RepositoryPaths.Combine("README.md")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ReleaseTracking_ListsTheRuleWithItsCategoryAndSeverity(string id)
    {
        var descriptor = Descriptors[id];
        var folder = RepositoryPaths.Combine("src", "AsyncPitfalls.Analyzers");
        var lines = File.ReadLines(Path.Combine(folder, "AnalyzerReleases.Shipped.md")).Concat(File.ReadLines(Path.Combine(folder, "AnalyzerReleases.Unshipped.md")));
        Assert.Contains(lines, line => line.StartsWith($"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Gallery_HasAMarkerForTheRule(string id)
    {
        var marked = SampleMarkerTests.SourceFiles("samples/RuleGallery").Any(path => File.ReadAllText(path).Contains("// " + id, StringComparison.Ordinal));
        Assert.True(marked, $"samples/RuleGallery has no '// {id}' marker");
    }

    /// <summary>The Strict preset raises every rule through its category's line (see SeverityPresets for why).</summary>
    [Theory]
    [MemberData(nameof(RuleIds))]
    public void StrictPreset_RaisesTheRulesCategory(string id)
    {
        var lines = File.ReadAllLines(RepositoryPaths.Combine("nuget", "config", "AsyncPitfalls.Strict.globalconfig"));
        Assert.Contains($"dotnet_analyzer_diagnostic.category-{Descriptors[id].Category}.severity = error", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("dotnet_diagnostic.", StringComparison.Ordinal));
    }

    /// <summary>AsyncPitfallsWarningsAsErrors (docs/ci.md) must turn every rule's warnings into errors, new rules included.</summary>
    [Theory]
    [MemberData(nameof(RuleIds))]
    public void PackageTargets_WarningsAsErrorsSwitch_ListsTheRule(string id)
    {
        var targets = File.ReadAllText(RepositoryPaths.Combine("nuget", "build", "AsyncPitfalls.targets"));
        var start = targets.IndexOf("<MSBuildWarningsAsErrors>", StringComparison.Ordinal);
        var end = targets.IndexOf("</MSBuildWarningsAsErrors>", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "nuget/build/AsyncPitfalls.targets has no MSBuildWarningsAsErrors list");
        Assert.Contains(id, targets.Substring(start, end - start).Split(';'));
    }

    /// <summary>
    /// A rule with a code fix says on its page what the fix rewrites and when it is not offered (or that it
    /// always is); a rule without one says why there is none. Users decide on Fix All from this section.
    /// </summary>
    [Theory]
    [MemberData(nameof(RuleIds))]
    public void DocsPage_SaysWhatTheFixDoesAndWhenItIsNotOffered(string id)
    {
        var page = File.ReadAllText(RepositoryPaths.Combine("docs", "rules", id + ".md"));
        var hasFix = FixedIds.Contains(id);
        var heading = hasFix ? new[] { "## What the code fix does", "## What the code fixes do" } : new[] { "## Code fix" };
        var start = heading.Select(h => page.IndexOf("\n" + h + "\n", StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).First();
        Assert.True(start >= 0, $"docs/rules/{id}.md has no '{heading[0]}' section");
        var end = page.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? page.Substring(start) : page.Substring(start, end - start);
        if (hasFix)
            Assert.True(new[] { "not offered", "no fix", "offered on every report" }.Any(words => section.Contains(words, StringComparison.OrdinalIgnoreCase)),
                $"docs/rules/{id}.md: the fix section does not say when the fix is not offered (or that it is offered on every report)");
        else
            Assert.Contains("None.", section, StringComparison.Ordinal);
    }

    private static readonly HashSet<string> FixedIds = new(typeof(AsyncPitfalls.Rules.ThreadSleepCodeFix).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
        .SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds), StringComparer.Ordinal);

    [Fact]
    public void CodeFixes_FixKnownRules_AndOfferFixAll()
    {
        var fixes = typeof(AsyncPitfalls.Rules.ThreadSleepCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();
        Assert.NotEmpty(fixes);
        foreach (var fix in fixes)
        {
            Assert.All(fix.FixableDiagnosticIds, id => Assert.True(Descriptors.ContainsKey(id), $"{fix.GetType().Name} fixes unknown {id}"));
            Assert.NotNull(fix.GetFixAllProvider());
            Assert.NotNull(fix.GetType().GetCustomAttribute<ExportCodeFixProviderAttribute>());
        }
    }
}
