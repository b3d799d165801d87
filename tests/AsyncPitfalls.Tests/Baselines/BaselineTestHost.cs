using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Baselines;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tests.Baselines;

/// <summary>A project under /repo with a baseline at /repo/asyncpitfalls.baseline.json, built in memory.</summary>
internal static class BaselineTestHost
{
    public const string Root = "/repo";

    public const string BaselinePath = "/repo/asyncpitfalls.baseline.json";

    /// <summary>Two rules are enough: AP1002 (Thread.Sleep) and AP1001 (.Result, .Wait()) in async methods.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Rules { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(new ThreadSleepAnalyzer(), new SyncWaitAnalyzer());

    public static Compilation Compile(params (string Path, string Text)[] sources)
        => CSharpCompilation.Create(
            "Sample",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, new CSharpParseOptions(LanguageVersion.CSharp12), s.Path)),
            TestReferences.Framework,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    public static Compilation Compile(string source) => Compile(("/repo/src/Orders/Worker.cs", source));

    /// <summary>The findings of <see cref="Rules"/>, no baseline.</summary>
    public static Task<ImmutableArray<Diagnostic>> FindingsAsync(Compilation compilation)
        => AnalyzerRunner.RunAsBuildAsync(compilation, Rules, Options());

    /// <summary>The fingerprints of <paramref name="compilation"/>'s findings, as the tool computes them.</summary>
    public static async Task<ImmutableArray<BaselineEntry>> EntriesAsync(Compilation compilation)
        => BaselineFingerprints.Compute(await FindingsAsync(compilation), Root, tree => compilation.GetSemanticModel(tree), CancellationToken.None).Select(p => p.Entry).ToImmutableArray();

    /// <summary>The baseline text for every current finding.</summary>
    public static async Task<string> BaselineOfAsync(Compilation compilation) => BaselineFormat.Write(await EntriesAsync(compilation));

    public static AnalyzerOptions Options(params (string Path, string Text)[] additionalFiles)
        => new(additionalFiles.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)).ToImmutableArray());

    public static AnalyzerOptions Options(IReadOnlyDictionary<string, string> globalOptions, params (string Path, string Text)[] additionalFiles)
        => new(additionalFiles.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)).ToImmutableArray(), new GlobalOptionsProvider(globalOptions));

    public static ImmutableArray<DiagnosticAnalyzer> With(BaselineSuppressor suppressor) => Rules.Add(suppressor);

    public static string Describe(Diagnostic diagnostic)
        => $"{diagnostic.Id} {diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1}";

    public sealed class InMemoryText : AdditionalText
    {
        private readonly SourceText _text;

        public InMemoryText(string path, string text)
        {
            Path = path;
            _text = SourceText.From(text);
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class GlobalOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions Empty = new(new Dictionary<string, string>());

        public GlobalOptionsProvider(IReadOnlyDictionary<string, string> global) => GlobalOptions = new DictionaryOptions(global);

        public override AnalyzerConfigOptions GlobalOptions { get; }

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;
    }

    private sealed class DictionaryOptions : AnalyzerConfigOptions
    {
        private readonly IReadOnlyDictionary<string, string> _values;

        public DictionaryOptions(IReadOnlyDictionary<string, string> values) => _values = values;

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
        {
            if (_values.TryGetValue(key, out var found))
            {
                value = found;
                return true;
            }
            value = null;
            return false;
        }
    }
}
