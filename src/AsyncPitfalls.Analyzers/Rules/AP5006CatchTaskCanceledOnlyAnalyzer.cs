using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5006: <c>catch (TaskCanceledException)</c> with no catch of <c>OperationCanceledException</c>
/// beside it: <c>ThrowIfCancellationRequested</c>, channels, SemaphoreSlim.WaitAsync and most
/// libraries throw the base type, which this handler misses.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CatchTaskCanceledOnlyAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.CatchTaskCanceledOnly,
        title: "Catch OperationCanceledException, not only TaskCanceledException",
        messageFormat: "'catch (TaskCanceledException)' in {0} misses the OperationCanceledException that ThrowIfCancellationRequested, channels and most libraries throw; catch OperationCanceledException",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "TaskCanceledException is one kind of OperationCanceledException, thrown by some Task APIs. "
            + "CancellationToken.ThrowIfCancellationRequested, channels, SemaphoreSlim, HttpClient in some paths and most "
            + "libraries throw OperationCanceledException itself, which a handler for TaskCanceledException does not catch.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.CatchTaskCanceledOnly));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.TaskCanceledException is null || types.OperationCanceledException is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.CatchClause);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var clause = (ICatchClauseOperation)context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(clause.ExceptionType, types.TaskCanceledException) || clause.Parent is not ITryOperation @try)
            return;
        foreach (var other in @try.Catches)
        {
            if (SymbolEqualityComparer.Default.Equals(other.ExceptionType, types.OperationCanceledException))
                return;
        }
        context.Report(Diagnostic.Create(Rule, Declarations.CatchHeaderLocation(clause), AsyncCode.DescribeEnclosingFunction(clause, context.ContainingSymbol)));
    }
}
