using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3002: a lock is acquired and, further down the same block, released by a plain statement. An
/// exception (or a cancellation) in between skips the release, and every later caller waits forever.
/// </summary>
/// <remarks>
/// Only the shape where both ends are in one block is reported: an acquisition whose release is in
/// another method (a lock/unlock pair of methods) is left alone.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReleaseNotInFinallyAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ReleaseNotInFinally,
        title: "Release locks in a finally block",
        messageFormat: "{0} is released at line {1} outside a finally: if the code in between throws, it stays held and later callers wait forever",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lock released by a plain statement is not released when the code before it throws or is cancelled. "
            + "Put the code between the acquisition and the release in a try block and the release in its finally.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ReleaseNotInFinally));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.ReleaseNotInFinally);
            start.RegisterOperationAction(c => AnalyzeBlock(c, primitives), OperationKind.Block);
        });
    }

    private static void AnalyzeBlock(OperationAnalysisContext context, LockPrimitives primitives)
    {
        var statements = ((IBlockOperation)context.Operation).Operations;
        for (var i = 0; i < statements.Length; i++)
        {
            // A timed try-acquire whose result is dropped is its own bug; the release question needs a taken lock.
            if (primitives.TryGetStatementAcquisition(statements[i]) is not { IsConditional: false } acquisition)
                continue;
            for (var j = i + 1; j < statements.Length; j++)
            {
                if (primitives.TryGetStatementRelease(statements[j]) is { } released && LockPrimitives.SameLock(released, acquisition.LockExpression))
                {
                    if (j > i + 1)
                    {
                        var line = statements[j].Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                        context.Report(Diagnostic.Create(Rule, acquisition.Operation.Syntax.GetLocation(),
                            new[] { statements[j].Syntax.GetLocation() }, acquisition.Describe(context.ContainingSymbol.ContainingType), line));
                    }
                    break;
                }
                if (statements[j] is ITryOperation)
                    break; // A try after the acquisition may release in its finally: not the bare-release shape.
            }
        }
    }
}
