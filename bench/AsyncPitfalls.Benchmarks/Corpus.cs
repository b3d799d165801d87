using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using AsyncPitfalls.Tests.Verifiers;

namespace AsyncPitfalls.Benchmarks;

/// <summary>Source files and references of one compilation the benchmark measures.</summary>
public sealed class Corpus
{
    private Corpus(string name, ImmutableArray<(string Path, string Text)> sources, ImmutableArray<MetadataReference> references, bool isReal = false)
    {
        Name = name;
        IsReal = isReal;
        Sources = sources;
        References = references;
        Lines = sources.Sum(s => CorpusGenerator.CountLines(s.Text));
        Trees = Parse();
    }

    public string Name { get; }

    /// <summary>Decompiled real libraries: parsed at the preview language version and compiled with unsafe code allowed, as the real-code check does.</summary>
    public bool IsReal { get; }

    public int Lines { get; }

    public ImmutableArray<(string Path, string Text)> Sources { get; }

    public ImmutableArray<MetadataReference> References { get; }

    /// <summary>Parsed once; every measured compilation starts from these trees and binds afresh.</summary>
    public ImmutableArray<SyntaxTree> Trees { get; }

    public static Corpus Generated(int lines, int pitfallEvery = 20) =>
        new($"generated {FormatLines(lines)}", CorpusGenerator.Generate(lines, pitfallEvery).ToImmutableArray(), RuntimeReferences.NetCore);

    /// <summary>
    /// This repository's own code: the analyzers and code fixes (against the Roslyn this process runs), the rule
    /// gallery and the runtime demos (against ASP.NET Core).
    /// </summary>
    public static Corpus OwnSources(string repositoryRoot)
    {
        var sources = new[] { "src", Path.Combine("samples", "RuleGallery"), Path.Combine("samples", "RuntimeDemos") }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(repositoryRoot, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (Path.GetRelativePath(repositoryRoot, path), File.ReadAllText(path)))
            .ToImmutableArray();
        return new Corpus("own sources", sources, RuntimeReferences.AspNetCore.AddRange(RoslynReferences));
    }

    /// <summary>The Roslyn this process runs, for compiling the analyzers' own sources.</summary>
    private static ImmutableArray<MetadataReference> RoslynReferences =>
        new[] { typeof(Compilation), typeof(CSharpCompilation), typeof(Workspace), typeof(Microsoft.CodeAnalysis.CSharp.Formatting.CSharpFormattingOptions), typeof(System.Composition.ExportAttribute) }
            .Select(t => (MetadataReference)MetadataReference.CreateFromFile(t.Assembly.Location))
            .ToImmutableArray();

    /// <summary>
    /// Decompiled real libraries (bench/Shared/RealCodeLibraries), one compilation: a single library, or several joined
    /// with '+' ("MongoDB.Driver+Dapper") to reach a size no single library has. Decompiled again on every run.
    /// </summary>
    public static Corpus Real(AsyncPitfalls.Bench.RealCodeLibraries restored, string spec)
    {
        var libraries = spec.Split('+', StringSplitOptions.RemoveEmptyEntries);
        var sources = ImmutableArray.CreateBuilder<(string Path, string Text)>();
        foreach (var library in libraries)
        {
            var directory = Path.Combine(Path.GetTempPath(), "asyncpitfalls-bench-realcode", library);
            restored.Decompile(library, directory);
            // The library's name leads each path, so that two libraries' files of the same name stay apart. One assembly
            // has one set of assembly attributes: those of the libraries after the first would be duplicates (CS0579).
            sources.AddRange(AsyncPitfalls.Bench.RealCodeLibraries.SourceFiles(directory)
                .Where(f => library == libraries[0] || Path.GetRelativePath(directory, f) != Path.Combine("Properties", "AssemblyInfo.cs"))
                .Select(f => (Path.Combine(library, Path.GetRelativePath(directory, f)), File.ReadAllText(f))));
        }
        var references = restored.References(libraries).ToImmutableArray();
        return new Corpus(string.Join(" + ", libraries), sources.ToImmutable(), references, isReal: true);
    }

    public static string FormatLines(int lines) => lines switch
    {
        >= 1_000_000 when lines % 1_000_000 == 0 => $"{lines / 1_000_000}M",
        >= 1_000 when lines % 1_000 == 0 => $"{lines / 1_000}k",
        _ => lines.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public ImmutableArray<SyntaxTree> Parse()
    {
        var options = new CSharpParseOptions(IsReal ? LanguageVersion.Preview : LanguageVersion.Latest);
        return Sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, s.Path)).ToImmutableArray();
    }

    public CSharpCompilation Compile(ImmutableArray<SyntaxTree> trees, ImmutableDictionary<string, ReportDiagnostic>? diagnosticOptions = null)
    {
        // Single-threaded, like the analyzers measured next to it: both numbers are CPU work, not wall time on N cores.
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false, allowUnsafe: IsReal)
            .WithSpecificDiagnosticOptions(diagnosticOptions ?? ImmutableDictionary<string, ReportDiagnostic>.Empty);
        return CSharpCompilation.Create("Corpus", trees, References, options);
    }
}
