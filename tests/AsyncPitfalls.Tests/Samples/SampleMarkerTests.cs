using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Samples;

/// <summary>
/// The rule gallery and the runtime demos, compiled with every analyzer: the AsyncPitfalls
/// diagnostics must be exactly the marker comments (<c>// AP1002</c>), nothing missing, nothing extra.
/// </summary>
public sealed partial class SampleMarkerTests
{
    [Fact]
    public Task RuleGallery_DiagnosticsEqualMarkers()
        => AssertDiagnosticsEqualMarkersAsync("samples/RuleGallery", OutputKind.DynamicallyLinkedLibrary, RuntimeReferences.AspNetCore);

    [Fact]
    public Task RuntimeDemos_DiagnosticsEqualMarkers()
        => AssertDiagnosticsEqualMarkersAsync("samples/RuntimeDemos", OutputKind.ConsoleApplication, RuntimeReferences.AspNetCore);

    internal static ImmutableArray<string> SourceFiles(string relativeFolder)
    {
        var folder = RepositoryPaths.Combine(relativeFolder.Split('/'));
        return Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(folder, path)))
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    internal static CSharpCompilation Compile(string relativeFolder, OutputKind outputKind, ImmutableArray<MetadataReference> references)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = SourceFiles(relativeFolder)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path: Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/')));
        return CSharpCompilation.Create(Path.GetFileName(relativeFolder), trees, references,
            new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static async Task AssertDiagnosticsEqualMarkersAsync(string relativeFolder, OutputKind outputKind, ImmutableArray<MetadataReference> references)
    {
        var compilation = Compile(relativeFolder, outputKind, references);
        AnalyzerRunner.AssertNoCompilerErrors(compilation, relativeFolder);

        var diagnostics = await AnalyzerRunner.RunAsBuildAsync(compilation, AnalyzerRunner.AllAnalyzers, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty));
        var actual = diagnostics
            .Where(d => d.Id.StartsWith("AP", StringComparison.Ordinal))
            .Select(d => (File: d.Location.SourceTree!.FilePath, Line: d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id))
            .ToHashSet();

        var expected = new HashSet<(string File, int Line, string Id)>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var lines = tree.GetText().Lines;
            foreach (var line in lines)
            {
                var marker = Marker().Match(line.ToString());
                if (!marker.Success)
                    continue;
                foreach (Capture id in marker.Groups["id"].Captures)
                    expected.Add((tree.FilePath, line.LineNumber + 1, id.Value));
            }
        }

        var missing = expected.Except(actual).OrderBy(x => x.File).ThenBy(x => x.Line).Select(x => $"missing {x.Id} at {x.File}:{x.Line}");
        var extra = actual.Except(expected).OrderBy(x => x.File).ThenBy(x => x.Line).Select(x => $"unmarked {x.Id} at {x.File}:{x.Line}");
        var problems = missing.Concat(extra).ToList();
        Assert.True(problems.Count == 0, "Diagnostics and markers differ:\n" + string.Join("\n", problems));
        Assert.NotEmpty(expected);
    }

    private static bool IsBuildOutput(string relativePath)
    {
        var first = relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    /// <summary>A trailing comment that lists rule ids: <c>// AP1002</c> or <c>// AP1001, AP3004</c>.</summary>
    [GeneratedRegex(@"//\s*(?:(?<id>AP\d{4})\s*,?\s*)+$")]
    private static partial Regex Marker();
}
