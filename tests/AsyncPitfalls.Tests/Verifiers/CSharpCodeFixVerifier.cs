using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Testing.Model;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>
/// The project's verifier for a rule and its fix, on Microsoft.CodeAnalysis.Testing: <see cref="Test"/> is the
/// framework's <c>CSharpCodeFixTest</c> with the checks it lacks (see <see cref="Test.RunImplAsync"/>).
/// </summary>
public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>
    /// The analyzer's rule. An analyzer may report one id through a live and a compilation-end descriptor
    /// (same title and message), so the first descriptor stands for the id.
    /// </summary>
    public static DiagnosticResult Diagnostic()
    {
        var descriptors = new TAnalyzer().SupportedDiagnostics;
        if (descriptors.Select(d => d.Id).Distinct().Count() != 1)
            throw new InvalidOperationException($"{typeof(TAnalyzer).Name} reports several ids; name one with Diagnostic(id).");
        return Diagnostic(descriptors[0]);
    }

    public static DiagnosticResult Diagnostic(string id) => Diagnostic(new TAnalyzer().SupportedDiagnostics.First(d => d.Id == id));

    /// <summary>
    /// An expected diagnostic of this descriptor. Its additional locations (the other lock of a cycle, the
    /// declaration a message names) are not compared, as markup cannot give them; the message names them.
    /// </summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new DiagnosticResult(descriptor).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    /// <summary>An <c>.editorconfig</c> for every file of the test project, with these lines under <c>[*.cs]</c>.</summary>
    public static (string Path, string Content) EditorConfig(string lines) => ("/.editorconfig", "root = true\n\n[*.cs]\n" + lines);

    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Half-typed or broken code: compiler errors are allowed and diagnostics not compared; the analyzer must not throw.</summary>
    public static Task VerifyNoCrashAsync(string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
        => new Test { TestCode = source, CheckOnlyForCrashes = true, TestState = { OutputKind = outputKind } }.RunAsync();

    public static Task VerifyCodeFixAsync(string source, string fixedSource)
        => VerifyCodeFixAsync(source, Array.Empty<DiagnosticResult>(), fixedSource);

    public static Task VerifyCodeFixAsync(string source, DiagnosticResult[] expected, string fixedSource)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>A fix whose code depends on the language version: <paramref name="fixedSourceAtCSharp7_3"/> is what it writes at C# 7.3.</summary>
    public static Task VerifyCodeFixAsync(string source, string fixedSource, string fixedSourceAtCSharp7_3)
        => new Test { TestCode = source, FixedCode = fixedSource, FixedCodeAtCSharp7_3 = fixedSourceAtCSharp7_3 }.RunAsync();

    /// <summary>The framework's code fix test, set up the way this project's rules are tested.</summary>
    public class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            // Offline: no reference package is downloaded; the framework comes from Basic.Reference.Assemblies.
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.Framework);
            // A rule may report one id through a live and a compilation-end descriptor; [|...|] means that id.
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
        }

        /// <summary>The language version of the test; the latest the compiler knows unless a test needs an older one.</summary>
        public LanguageVersion LanguageVersion { get; set; } = LanguageVersion.Preview;

        /// <summary>
        /// What the fix writes at C# 7.3 (the default of netstandard2.0 and .NET Framework libraries), for a
        /// single-file test whose fixed code at the latest version uses newer syntax; see <see cref="RunImplAsync"/>.
        /// </summary>
        public string? FixedCodeAtCSharp7_3 { get; set; }

        /// <summary>
        /// The rule reports at compilation end only (build-only): the analysis of one open document, as the IDE
        /// runs it, is then not required to report what the build reports.
        /// </summary>
        public bool BuildOnly { get; set; }

        /// <summary>No fix is offered for the diagnostics: the fixed state is the test state, markup included.</summary>
        public bool ExpectNoFix { get; set; }

        /// <summary>Only analyzer exceptions fail the test (with compiler errors allowed), not which diagnostics appear.</summary>
        public bool CheckOnlyForCrashes { get; set; }

        // Nullable reference types came with C# 8: an older project has them off (enabling them would be an error).
        protected override CompilationOptions CreateCompilationOptions()
            => ((CSharpCompilationOptions)base.CreateCompilationOptions())
                .WithNullableContextOptions(LanguageVersion >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable);

        protected override ParseOptions CreateParseOptions()
            => ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion);

        protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics)
            => CheckOnlyForCrashes ? diagnostics.Where(d => AnalyzerRunner.IsAnalyzerFailure(d.diagnostic)).ToImmutableArray() : base.FilterDiagnostics(diagnostics);

        /// <summary>
        /// The framework's checks (diagnostics; each fix one by one, then Fix All in document, project and solution
        /// scope, each compared exactly and compiled: the fixed state must have no unexpected compiler error), then
        /// what it lacks: the IDE's per-document analysis reports what the build reports, a fix test passes
        /// again at C# 12 (the .NET 8 SDK's default) whenever its code is C# 12, and its fix is proved at C# 7.3
        /// (the default of netstandard2.0 and .NET Framework libraries) whenever its code is C# 7.3:
        /// <list type="bullet">
        /// <item>with <see cref="FixedCodeAtCSharp7_3"/>, the framework's checks again at C# 7.3, against that text;</item>
        /// <item>else, when the expected fixed code is itself C# 7.3, the framework's checks again at C# 7.3 against
        /// it: a fix whose code every version accepts writes the same code at every version;</item>
        /// <item>else (the fixed code needs a newer version, and the test does not say what the fix writes at
        /// C# 7.3), every fix offered at C# 7.3, applied alone, and Fix All of each fix must leave code with no
        /// compiler error, and Fix All no diagnostic it still offers to fix. The text is not compared there: a
        /// test that shows the C# 7.3 form of a fix gives it explicitly, so that one readable test per shape
        /// states it, and every other test still proves that the fix never writes what C# 7.3 rejects.</item>
        /// </list>
        /// </summary>
        protected override async Task RunImplAsync(CancellationToken cancellationToken)
        {
            if (CheckOnlyForCrashes)
                CompilerDiagnostics = CompilerDiagnostics.None;
            // A second project of the solution (for Fix All in solution scope) compiles against the same framework.
            foreach (var additional in TestState.AdditionalProjects.Values.Concat(FixedState.AdditionalProjects.Values))
            {
                if (additional.AdditionalReferences.Count == 0)
                    additional.AdditionalReferences.AddRange(TestReferences.Framework);
            }
            if (ExpectNoFix && FixedState.Sources.Count == 0)
                FixedState.Sources.AddRange(TestState.Sources);
            // Markup left in the fixed code marks the diagnostics that remain after the fix (none is offered for them).
            if (FixedState.Sources.Count > 0)
                FixedState.MarkupHandling ??= MarkupMode.Allow;

            await base.RunImplAsync(cancellationToken);

            var project = await CreateTestProjectAsync(cancellationToken);
            if (!BuildOnly)
                await AnalyzerRunner.AssertIdeAgreesWithBuildAsync(project, GetDiagnosticAnalyzers().ToImmutableArray(), cancellationToken);

            var requested = LanguageVersion;
            if (FixedState.Sources.Count > 0 && !ExpectNoFix && LanguageVersion > LanguageVersion.CSharp12 && await CompilesAtAsync(LanguageVersion.CSharp12, fixedState: false, cancellationToken))
            {
                LanguageVersion = LanguageVersion.CSharp12;
                await base.RunImplAsync(cancellationToken);
                LanguageVersion = requested;
            }

            if (FixedState.Sources.Count > 0 && !ExpectNoFix && LanguageVersion > LanguageVersion.CSharp7_3)
            {
                if (await CompilesAtAsync(LanguageVersion.CSharp7_3, fixedState: false, cancellationToken))
                    await VerifyAtCSharp7_3Async(cancellationToken);
                else if (FixedCodeAtCSharp7_3 is not null)
                    throw new InvalidOperationException($"{nameof(FixedCodeAtCSharp7_3)} is given, but the test code does not compile at C# 7.3: nothing would check it.");
            }
        }

        /// <summary>The C# 7.3 proof of <see cref="RunImplAsync"/>, for a test whose code compiles at C# 7.3.</summary>
        private async Task VerifyAtCSharp7_3Async(CancellationToken cancellationToken)
        {
            var requested = LanguageVersion;
            var fixedSources = FixedState.Sources.ToList();
            try
            {
                if (FixedCodeAtCSharp7_3 is { } atCSharp7_3)
                {
                    if (fixedSources.Count != 1)
                        throw new InvalidOperationException($"{nameof(FixedCodeAtCSharp7_3)} is for a single-file test.");
                    FixedState.Sources.Clear();
                    FixedState.Sources.Add((fixedSources[0].filename, Microsoft.CodeAnalysis.Text.SourceText.From(atCSharp7_3)));
                    LanguageVersion = LanguageVersion.CSharp7_3;
                    await base.RunImplAsync(cancellationToken);
                }
                else if (await CompilesAtAsync(LanguageVersion.CSharp7_3, fixedState: true, cancellationToken))
                {
                    LanguageVersion = LanguageVersion.CSharp7_3;
                    await base.RunImplAsync(cancellationToken);
                }
                else
                {
                    LanguageVersion = LanguageVersion.CSharp7_3;
                    await CodeFixRunner.AssertFixesCompileAsync(await CreateTestProjectAsync(cancellationToken), GetDiagnosticAnalyzers().ToImmutableArray(), new TCodeFix(), cancellationToken);
                }
            }
            finally
            {
                LanguageVersion = requested;
                FixedState.Sources.Clear();
                FixedState.Sources.AddRange(fixedSources);
            }
        }

        /// <summary>Whether the test state (or the expected fixed state) compiles with no error at <paramref name="version"/>.</summary>
        private async Task<bool> CompilesAtAsync(LanguageVersion version, bool fixedState, CancellationToken cancellationToken)
        {
            var current = LanguageVersion;
            LanguageVersion = version;
            try
            {
                var project = fixedState ? await CreateFixedProjectAsync(cancellationToken) : await CreateTestProjectAsync(cancellationToken);
                foreach (var each in project.Solution.Projects)
                {
                    var compilation = await each.GetCompilationAsync(cancellationToken);
                    if (compilation!.GetDiagnostics(cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
                        return false;
                }
                return true;
            }
            finally
            {
                LanguageVersion = current;
            }
        }

        /// <summary>The test state's project (markup removed), as the framework builds it for its own checks.</summary>
        private Task<Project> CreateTestProjectAsync(CancellationToken cancellationToken)
            => CreateProjectAsync(TestState.WithInheritedValuesApplied(null, FixableDiagnosticIds), cancellationToken);

        /// <summary>The expected fixed state's project (markup removed), with what it inherits from the test state.</summary>
        private Task<Project> CreateFixedProjectAsync(CancellationToken cancellationToken)
            => CreateProjectAsync(FixedState.WithInheritedValuesApplied(TestState, FixableDiagnosticIds), cancellationToken);

        private ImmutableArray<string> FixableDiagnosticIds => GetCodeFixProviders().SelectMany(f => f.FixableDiagnosticIds).ToImmutableArray();

        private Task<Project> CreateProjectAsync(SolutionState inherited, CancellationToken cancellationToken)
        {
            var analyzers = GetDiagnosticAnalyzers().ToArray();
            var supported = analyzers.SelectMany(a => a.SupportedDiagnostics).ToImmutableArray();
            var state = inherited.WithProcessedMarkup(MarkupOptions, GetDefaultDiagnostic(analyzers), supported, FixableDiagnosticIds, DefaultFilePath);
            var additional = state.AdditionalProjects.Values.Select(p => new EvaluatedProjectState(p, ReferenceAssemblies)).ToImmutableArray();
            return CreateProjectAsync(new EvaluatedProjectState(state, ReferenceAssemblies), additional, cancellationToken);
        }
    }
}

/// <summary>Analyzer-only verification: the code fix verifier with no fix.</summary>
public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic() => CSharpCodeFixVerifier<TAnalyzer, EmptyCodeFixProvider>.Diagnostic();

    public static DiagnosticResult Diagnostic(string id) => CSharpCodeFixVerifier<TAnalyzer, EmptyCodeFixProvider>.Diagnostic(id);

    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
        => CSharpCodeFixVerifier<TAnalyzer, EmptyCodeFixProvider>.VerifyAnalyzerAsync(source, expected);

    public static Task VerifyNoCrashAsync(string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
        => CSharpCodeFixVerifier<TAnalyzer, EmptyCodeFixProvider>.VerifyNoCrashAsync(source, outputKind);

    public static (string Path, string Content) EditorConfig(string lines) => CSharpCodeFixVerifier<TAnalyzer, EmptyCodeFixProvider>.EditorConfig(lines);

    public sealed class Test : CSharpCodeFixVerifier<TAnalyzer, EmptyCodeFixProvider>.Test
    {
    }
}
