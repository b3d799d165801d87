using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AsyncPitfalls.Tests.Samples;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tests.Robustness;

/// <summary>
/// The IDE hands analyzers half-typed code all day. Every gallery file and every C# snippet in the
/// rule tests, cut short at many points and with tokens deleted at random, goes through every
/// analyzer: no analyzer may throw (the runner fails on any exception or AD0001).
/// </summary>
public sealed partial class BrokenCodeTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = AnalyzerRunner.AllAnalyzers;

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (var path in SampleMarkerTests.SourceFiles("samples/RuleGallery"))
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, path));
        data.Add("tests/AsyncPitfalls.Tests/Rules (snippets)");
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task NoAnalyzerThrows_OnTruncatedOrMangledSource(string source)
    {
        foreach (var text in Texts(source))
        {
            var tokens = CSharpSyntaxTree.ParseText(text).GetRoot().DescendantTokens().ToList();
            var variants = new List<string>();
            // Cut after every Nth token: the half-typed states the IDE sees while someone types.
            var step = Math.Max(1, tokens.Count / 40);
            for (var i = step; i < tokens.Count; i += step)
                variants.Add(text.Substring(0, tokens[i].Span.End));
            // Random deletions, with a fixed seed so a failure is reproducible.
            var random = new Random(text.Length);
            for (var round = 0; round < 10; round++)
            {
                var kept = tokens.Where(_ => random.Next(12) != 0).Select(t => t.ToFullString());
                variants.Add(string.Concat(kept));
            }

            foreach (var variant in variants)
                await RunAsync(variant);
        }
    }

    private static IEnumerable<string> Texts(string source)
    {
        if (!source.EndsWith("(snippets)", StringComparison.Ordinal))
        {
            yield return File.ReadAllText(RepositoryPaths.Combine(source.Split('/')));
            yield break;
        }
        // The raw-string snippets of the rule tests: every shape the rules were written against.
        foreach (var path in Directory.GetFiles(RepositoryPaths.Combine("tests", "AsyncPitfalls.Tests", "Rules"), "*.cs"))
        {
            foreach (Match match in Snippet().Matches(File.ReadAllText(path)))
            {
                TestFileMarkupParser.GetSpans(match.Groups["code"].Value, out var clean, out ImmutableDictionary<string, ImmutableArray<TextSpan>> _);
                yield return clean;
            }
        }
    }

    private static async Task RunAsync(string text)
    {
        var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Preview));
        var compilation = CSharpCompilation.Create("Broken", new[] { tree }, RuntimeReferences.NetCore,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        await AnalyzerRunner.RunAsBuildAsync(compilation, Analyzers, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty));
    }

    [GeneratedRegex("\"\"\"\\r?\\n(?<code>.*?)\"\"\"", RegexOptions.Singleline)]
    private static partial Regex Snippet();
}
