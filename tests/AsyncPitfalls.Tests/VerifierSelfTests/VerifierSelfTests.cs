using System;
using System.Collections.Immutable;
using System.Threading.Tasks;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Xunit.Sdk;

namespace AsyncPitfalls.Tests.VerifierSelfTests;

/// <summary>The verifier must fail where a test is wrong; otherwise a green rule test proves nothing.</summary>
public sealed class VerifierSelfTests
{
    private const string Source = """
        class C
        {
            void M() { N(); }
            void N() { }
        }
        """;

    [Fact]
    public Task Passes_WhenMarkupMatches()
        => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source.Replace("{ N(); }", "{ [|N()|]; }"));

    [Fact]
    public Task Fails_OnMissingDiagnostic()
        => Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source.Replace("void N() { }", "void N() { [|N|]; }")));

    [Fact]
    public Task Fails_OnUnexpectedDiagnostic()
        => Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source));

    [Fact]
    public Task Fails_OnWrongSpan()
        => Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source.Replace("{ N(); }", "{ [|N|](); }")));

    [Fact]
    public Task Fails_OnWrongMessage()
        => Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(
            Source.Replace("{ N(); }", "{ {|#0:N()|}; }"),
            CSharpAnalyzerVerifier<InvocationAnalyzer>.Diagnostic().WithLocation(0).WithArguments("M")));

    [Fact]
    public Task Fails_OnAnalyzerException()
        => Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<ThrowingAnalyzer>.VerifyAnalyzerAsync(Source));

    [Fact]
    public Task Fails_OnCompilerErrorsInTestSource()
        => Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync("class C { void M() { Missing(); } }"));

    [Fact]
    public async Task Fails_WhenOnlyTheBuildReports_UnlessTheRuleIsBuildOnly()
    {
        var marked = Source.Replace("class C", "class [|C|]");
        await Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<CompilationEndAnalyzer>.VerifyAnalyzerAsync(marked));
        await new AnalyzerTest<CompilationEndAnalyzer> { Sources = { marked }, BuildOnly = true }.RunAsync();
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class InvocationAnalyzer : DiagnosticAnalyzer
    {
        internal static readonly DiagnosticDescriptor Rule = new("TEST0001", "Call", "Call of '{0}'", "Test", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationAction(c => c.ReportDiagnostic(Diagnostic.Create(Rule, c.Operation.Syntax.GetLocation(), ((IInvocationOperation)c.Operation).TargetMethod.Name)), OperationKind.Invocation);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ThrowingAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(InvocationAnalyzer.Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationAction(_ => throw new InvalidOperationException("boom"), OperationKind.Invocation);
        }
    }

    /// <summary>Reports every type at compilation end: a build sees it, one open document does not.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CompilationEndAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("TEST0002", "Type", "Type '{0}'", "Test", DiagnosticSeverity.Warning, true, customTags: WellKnownDiagnosticTags.CompilationEnd);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var types = new System.Collections.Concurrent.ConcurrentBag<ISymbol>();
                start.RegisterSymbolAction(c => types.Add(c.Symbol), SymbolKind.NamedType);
                start.RegisterCompilationEndAction(end =>
                {
                    foreach (var type in types)
                        end.ReportDiagnostic(Diagnostic.Create(Rule, type.Locations[0], type.Name));
                });
            });
        }
    }
}
