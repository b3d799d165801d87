using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>Analyzer-only verification, shaped like Microsoft.CodeAnalysis.Testing's <c>AnalyzerVerifier</c>.</summary>
public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>The analyzer's rule (an analyzer may report one id through a live and a compilation-end descriptor).</summary>
    public static DiagnosticResult Diagnostic() => Diagnostic(new TAnalyzer().SupportedDiagnostics.Select(d => d.Id).Distinct().Count() == 1
        ? new TAnalyzer().SupportedDiagnostics[0]
        : new TAnalyzer().SupportedDiagnostics.Single());

    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor.Id, descriptor);

    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest<TAnalyzer> { Sources = { source } };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Half-typed or broken code: compiler errors are allowed, the analyzer must not throw.</summary>
    public static Task VerifyNoCrashAsync(string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
        => new AnalyzerTest<TAnalyzer> { Sources = { source }, AllowCompilerErrors = true, CheckOnlyForCrashes = true, OutputKind = outputKind }.RunAsync();
}

/// <summary>Analyzer and code fix verification, shaped like Microsoft.CodeAnalysis.Testing's <c>CodeFixVerifier</c>.</summary>
public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer>.Diagnostic();

    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
        => CSharpAnalyzerVerifier<TAnalyzer>.VerifyAnalyzerAsync(source, expected);

    public static Task VerifyNoCrashAsync(string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
        => CSharpAnalyzerVerifier<TAnalyzer>.VerifyNoCrashAsync(source, outputKind);

    public static Task VerifyCodeFixAsync(string source, string fixedSource)
        => new CodeFixTest<TAnalyzer, TCodeFix> { Sources = { source }, FixedSources = { fixedSource } }.RunAsync();

    public static Task VerifyCodeFixAsync(string source, DiagnosticResult[] expected, string fixedSource)
    {
        var test = new CodeFixTest<TAnalyzer, TCodeFix> { Sources = { source }, FixedSources = { fixedSource } };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }
}
