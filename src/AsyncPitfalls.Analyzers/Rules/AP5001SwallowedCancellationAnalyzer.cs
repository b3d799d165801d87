using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5001: <c>catch (OperationCanceledException)</c> that neither rethrows nor throws, after which
/// the code goes on, or in a method that takes a CancellationToken: the caller's cancellation
/// request is turned into "completed normally" (the guides' "always re-raise CancelledError").
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SwallowedCancellationAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.SwallowedCancellation,
        title: "Do not swallow cancellation",
        messageFormat: "'catch ({0})' swallows the cancellation and {1}; rethrow it with 'throw;'",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Catching OperationCanceledException without rethrowing turns a cancellation request into normal completion: "
            + "loops keep running after shutdown is requested, and callers that cancelled believe the work finished. Rethrow, or "
            + "let the exception pass. Entry points that end on cancellation (Main, top-level statements, event handlers, the "
            + "outermost level of BackgroundService.ExecuteAsync) and catches filtered on another token are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.SwallowedCancellation));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.OperationCanceledException is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.CatchClause);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var clause = (ICatchClauseOperation)context.Operation;
        if (!CancellationHandlers.IsCancellationException(clause.ExceptionType, types) || CancellationHandlers.Throws(clause, types)
            || CancellationHandlers.HandsOnTheException(clause, types)
            || clause.Parent is not ITryOperation @try
            || CancellationHandlers.IsEntryPoint(@try, context.ContainingSymbol, types)
            || IsShutdownLoopInEntryPoint(@try, context.ContainingSymbol, types))
            return;

        var function = AsyncCode.EnclosingFunction(@try, context.ContainingSymbol);
        if (CancellationHandlers.FiltersOnAnotherToken(clause, function, types) || CancellationHandlers.CancelsItsOwnTokenSource(@try, function, types))
            return;

        var consequence = Consequence(clause, @try, function, types);
        if (consequence is null)
            return;

        context.ReportDiagnostic(Diagnostic.Create(Rule, Declarations.CatchHeaderLocation(clause), clause.ExceptionType.Name, consequence));
    }

    /// <summary>What swallowing leads to here, or null when the code simply ends (nothing goes on).</summary>
    private static string? Consequence(ICatchClauseOperation clause, ITryOperation @try, IMethodSymbol? function, KnownTypes types)
    {
        var handlerEnds = clause.Handler.Operations.Length > 0 && clause.Handler.Operations[clause.Handler.Operations.Length - 1]
            is IReturnOperation or IBranchOperation { BranchKind: BranchKind.Break or BranchKind.GoTo };
        if (!handlerEnds && CancellationHandlers.InsideLoop(@try))
            return "the loop goes on";
        if (!handlerEnds && HasCodeAfter(@try))
            return "the code after it runs";
        if (function is not null && HasTokenParameter(function, types) && !CancellationHandlers.ReportsFailureAsTryMethod(clause, function))
            return $"'{SymbolNames.ForMessage(function.MethodKind == MethodKind.AnonymousFunction ? function.ContainingSymbol : function)}' returns as if it had completed";
        return null;
    }

    private static bool HasTokenParameter(IMethodSymbol function, KnownTypes types)
    {
        foreach (var parameter in function.Parameters)
        {
            if (CancellationTokens.IsCancellationToken(parameter.Type, types))
                return true;
        }
        return false;
    }

    /// <summary>Whether statements follow the try in some enclosing block of the same function.</summary>
    private static bool HasCodeAfter(IOperation statement)
    {
        IOperation child = statement;
        foreach (var current in statement.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation or IMethodBodyOperation:
                    return false;
                case IBlockOperation block:
                    var index = block.Operations.IndexOf(child);
                    for (var i = index + 1; i < block.Operations.Length; i++)
                    {
                        // A trailing 'return;' or local function declaration is not code that goes on.
                        if (block.Operations[i] is not (IReturnOperation { ReturnedValue: null } or ILocalFunctionOperation))
                            return true;
                    }
                    break;
            }
            child = current;
        }
        return false;
    }

    /// <summary>
    /// <c>while (!stoppingToken.IsCancellationRequested) { try { ... } catch (OperationCanceledException) { } }</c>
    /// in ExecuteAsync: the loop stops on the same request and the service ends, as the host wants.
    /// </summary>
    private static bool IsShutdownLoopInEntryPoint(IOperation @try, ISymbol containingSymbol, KnownTypes types)
    {
        if (containingSymbol is not IMethodSymbol { Name: "ExecuteAsync", IsOverride: true } method || method.OverriddenMethod?.ContainingType.Name != "BackgroundService")
            return false;
        foreach (var current in @try.Ancestors())
        {
            if (current is IWhileLoopOperation { Condition: { } condition })
            {
                foreach (var node in condition.DescendantsAndSelf())
                {
                    if (node is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" })
                        return true;
                }
                return false;
            }
        }
        return false;
    }
}
