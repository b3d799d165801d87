using System;
using System.Collections.Immutable;
using System.Threading.Tasks;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        => AssertFailsAsync("Mismatch between number of diagnostics", () => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source.Replace("void N() { }", "void N() { [|N|]; }")));

    [Fact]
    public Task Fails_OnUnexpectedDiagnostic()
        => AssertFailsAsync("Mismatch between number of diagnostics", () => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source));

    [Fact]
    public Task Fails_OnWrongSpan()
        => AssertFailsAsync("Expected diagnostic to end at column", () => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(Source.Replace("{ N(); }", "{ [|N|](); }")));

    [Fact]
    public Task Fails_OnWrongMessage()
        => AssertFailsAsync("Expected diagnostic message", () => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync(
            Source.Replace("{ N(); }", "{ {|#0:N()|}; }"),
            CSharpAnalyzerVerifier<InvocationAnalyzer>.Diagnostic().WithLocation(0).WithArguments("M")));

    [Fact]
    public Task Fails_OnAnalyzerException()
        => AssertFailsAsync("AD0001", () => CSharpAnalyzerVerifier<ThrowingAnalyzer>.VerifyAnalyzerAsync(Source));

    [Fact]
    public Task Fails_OnCompilerErrorsInTestSource()
        => AssertFailsAsync("CS0103", () => CSharpAnalyzerVerifier<InvocationAnalyzer>.VerifyAnalyzerAsync("class C { void M() { Missing(); } }"));

    [Fact]
    public async Task Fails_WhenOnlyTheBuildReports_UnlessTheRuleIsBuildOnly()
    {
        var marked = Source.Replace("class C", "class [|C|]");
        await AssertFailsAsync("The build and the IDE", () => CSharpAnalyzerVerifier<CompilationEndAnalyzer>.VerifyAnalyzerAsync(marked));
        await new CSharpAnalyzerVerifier<CompilationEndAnalyzer>.Test
        {
            BuildOnly = true,
            TestState = { Sources = { marked } },
        }.RunAsync();
    }

    [Fact]
    public Task Passes_WhenTheFixMatches()
        => CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.VerifyCodeFixAsync(
            Source.Replace("{ N(); }", "{ [|N()|]; }"),
            Source.Replace("{ N(); }", "{ var s = \"\"; }"));

    [Fact]
    public async Task Fails_WhenTheFixedCodeDoesNotCompile()
    {
        ReplaceStatementFix.Statement = "var s = missing;";
        await AssertFailsAsync("CS0103", () => CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.VerifyCodeFixAsync(
            Source.Replace("{ N(); }", "{ [|N()|]; }"),
            Source.Replace("{ N(); }", "{ var s = missing; }")));
    }

#if !ROSLYN_FLOOR
    [Fact]
    public async Task Fails_WhenTheFixNeedsANewerLanguageThanCSharp12()
    {
        // '\e' is C# 13: the fixed code compiles at the latest version, and the C# 12 run must catch it.
        var fixedSource = Source.Replace("{ N(); }", "{ var s = \"\\e\"; }");
        ReplaceStatementFix.Statement = "var s = \"\\e\";";
        await AssertFailsAsync("CS9202", () => CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.VerifyCodeFixAsync(
            Source.Replace("{ N(); }", "{ [|N()|]; }"), fixedSource));
    }
#endif

    [Fact]
    public async Task Fails_WhenTheFixWritesWhatCSharp7_3Rejects()
    {
        // 'using var' is C# 8: the test gives no C# 7.3 text, and the fix applied at C# 7.3 must compile.
        ReplaceStatementFix.Statement = "using var s = new System.IO.MemoryStream();";
        await AssertFailsAsync("CS8370", () => CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.VerifyCodeFixAsync(
            Source.Replace("{ N(); }", "{ [|N()|]; }"),
            Source.Replace("{ N(); }", "{ using var s = new System.IO.MemoryStream(); }")));
    }

    [Fact]
    public Task Fails_WhenTheFixWritesOtherCodeAtCSharp7_3ThanTheTestSays()
        => AssertFailsAsync("did not match", () => CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.VerifyCodeFixAsync(
            Source.Replace("{ N(); }", "{ [|N()|]; }"),
            Source.Replace("{ N(); }", "{ var s = \"\"; }"),
            fixedSourceAtCSharp7_3: Source.Replace("{ N(); }", "{ string s = \"\"; }")));

    [Fact]
    public Task Fails_WhenACSharp7_3TextIsGiven_ButTheTestCodeIsNotCSharp7_3()
        => AssertFailsAsync("does not compile at C# 7.3", () => CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.VerifyCodeFixAsync(
            Source.Replace("{ N(); }", "{ [|N()|]; string? t = null; }"),
            Source.Replace("{ N(); }", "{ var s = \"\"; string? t = null; }"),
            fixedSourceAtCSharp7_3: Source.Replace("{ N(); }", "{ var s = \"\"; string? t = null; }")));

    [Fact]
    public Task Fails_WhenNoFixIsExpected_ButOneIsOffered()
        => AssertFailsAsync("Iterative code fix application", () => new CSharpCodeFixVerifier<InvocationAnalyzer, ReplaceStatementFix>.Test
        {
            TestCode = Source.Replace("{ N(); }", "{ [|N()|]; }"),
            ExpectNoFix = true,
        }.RunAsync());

    /// <summary>
    /// FormatFixAll runs Fix All as dotnet format does: a batch fixer started from a diagnostic without a fix (null
    /// key) fixes nothing, started from one with a fix it fixes them all; the helper must see that.
    /// </summary>
    [Fact]
    public Task FormatFixAll_Fails_WhenOneDiagnosticWithoutAFixBlocksTheOthers()
        => AssertFailsAsync("differ", () => FormatFixAll.ApplyAsync(new InvocationAnalyzer(), new ReplaceCallsOfNFix(), """
            class C
            {
                void M() { O(); N(); }
                void N() { }
                void O() { }
            }
            """));

    /// <summary>
    /// The test fails, and for the reason given: the framework's verifier throws InvalidOperationException, the
    /// project's extension XunitException; anything else (a bug in the verifier itself) must not pass for a failure.
    /// </summary>
    private static async Task AssertFailsAsync(string reason, Func<Task> test)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(test);
        Assert.True(error is InvalidOperationException or XunitException, $"The verifier failed with {error.GetType().Name}, not a test failure:\n{error}");
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Replaces the reported call's statement with another statement.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp)]
    public sealed class ReplaceStatementFix : CodeFixProvider
    {
        private static readonly System.Threading.AsyncLocal<string?> s_statement = new();

        /// <summary>The statement to write, per test (tests run in parallel).</summary>
        public static string? Statement { get => s_statement.Value; set => s_statement.Value = value; }

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(InvocationAnalyzer.Rule.Id);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var statement = Statement ?? "var s = \"\";";
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            var call = root.FindNode(context.Span).FirstAncestorOrSelf<ExpressionStatementSyntax>()!;
            context.RegisterCodeFix(
                CodeAction.Create("Replace", _ => Task.FromResult(context.Document.WithSyntaxRoot(
                    root.ReplaceNode(call, SyntaxFactory.ParseStatement(statement).WithTriviaFrom(call)))), "Replace"),
                context.Diagnostics);
        }
    }

    /// <summary>Replaces calls of N only, through the batch fixer, which matches actions by equivalence key.</summary>
    public sealed class ReplaceCallsOfNFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(InvocationAnalyzer.Rule.Id);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
            if (root.FindNode(context.Span).FirstAncestorOrSelf<ExpressionStatementSyntax>() is { Expression: InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "N" } } } call)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Replace", _ => Task.FromResult(context.Document.WithSyntaxRoot(
                        root.ReplaceNode(call, SyntaxFactory.ParseStatement("var s = 0;").WithTriviaFrom(call)))), "Replace"),
                    context.Diagnostics);
            }
        }
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
