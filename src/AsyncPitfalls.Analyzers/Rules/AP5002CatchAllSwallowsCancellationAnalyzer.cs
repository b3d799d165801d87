using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5002: a catch-all around work that can be cancelled, which does not rethrow: it swallows the
/// cancellation with everything else, and a retry loop retries the cancelled call.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CatchAllSwallowsCancellationAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.CatchAllSwallowsCancellation,
        title: "Let cancellation through catch-all handlers",
        messageFormat: "'{0}' also catches the cancellation of the work in this try and {1}; add 'when (ex is not OperationCanceledException)'",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A catch-all handler catches OperationCanceledException too. Around work that takes a CancellationToken it turns "
            + "a cancellation request into an error to log or a call to retry: a retry loop keeps retrying a call that was "
            + "cancelled on purpose. Exclude cancellation with a filter, or rethrow it in a catch placed before.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.CatchAllSwallowsCancellation));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.OperationCanceledException is null || types.CancellationToken is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.CatchClause);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var clause = (ICatchClauseOperation)context.Operation;
        if (!CancellationHandlers.IsCatchAll(clause, types) || CancellationHandlers.Throws(clause, types)
            || CancellationHandlers.HandsOnToATask(clause)
            || clause.Parent is not ITryOperation @try
            || FilterExcludesCancellation(clause, types) || CatchesCancellationBefore(@try, clause, types)
            || CancellationHandlers.IsEntryPoint(@try, context.ContainingSymbol, types)
            || !DoesCancellableWork(@try.Body, types))
            return;

        var function = AsyncCode.EnclosingFunction(@try, context.ContainingSymbol);
        if (CancellationHandlers.FiltersOnAnotherToken(clause, function, types) || CancellationHandlers.ReportsFailureAsTryMethod(clause, function))
            return;

        var header = clause.ExceptionType.SpecialType == SpecialType.System_Object ? "catch" : $"catch ({clause.ExceptionType.Name})";
        var consequence = CancellationHandlers.InsideLoop(@try) ? "the loop goes on" : "carries on as if it had failed";
        context.ReportDiagnostic(Diagnostic.Create(Rule, Declarations.CatchHeaderLocation(clause), header, consequence));
    }

    /// <summary>A filter that names a cancellation exception type or a token's state: cancellation is handled on purpose.</summary>
    private static bool FilterExcludesCancellation(ICatchClauseOperation clause, KnownTypes types)
    {
        if (clause.Filter is null)
            return false;
        foreach (var node in clause.Filter.DescendantsAndSelf())
        {
            switch (node)
            {
                case IIsTypeOperation isType when CancellationHandlers.IsCancellationException(isType.TypeOperand, types):
                case ITypePatternOperation pattern when CancellationHandlers.IsCancellationException(pattern.MatchedType, types):
                case IDeclarationPatternOperation declaration when CancellationHandlers.IsCancellationException(declaration.MatchedType, types):
                case IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" }:
                    return true;
            }
        }
        return false;
    }

    private static bool CatchesCancellationBefore(ITryOperation @try, ICatchClauseOperation clause, KnownTypes types)
    {
        foreach (var other in @try.Catches)
        {
            if (other == clause)
                return false;
            if (CancellationHandlers.IsCancellationException(other.ExceptionType, types))
                return true;
        }
        return false;
    }

    /// <summary>The try body passes a real token somewhere, or checks one: its work can be cancelled.</summary>
    private static bool DoesCancellableWork(IOperation body, KnownTypes types)
    {
        foreach (var node in body.Descendants())
        {
            switch (node)
            {
                case IArgumentOperation { ArgumentKind: not ArgumentKind.DefaultValue } argument
                    when CancellationTokens.IsCancellationToken(argument.Parameter?.Type, types) && !IsNoneOrDefault(argument.Value):
                case IInvocationOperation { TargetMethod.Name: "ThrowIfCancellationRequested" }:
                    return true;
            }
        }
        return false;
    }

    private static bool IsNoneOrDefault(IOperation value)
        => OperationTree.Unwrap(value) is IDefaultValueOperation or IPropertyReferenceOperation { Property.Name: "None", Property.IsStatic: true };
}
