using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5004: a method that accepts a CancellationToken runs a loop that waits on work (an await, or an
/// endless loop of calls) and never looks at the token: cancelling cannot stop it between iterations.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LoopIgnoresTokenAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the token parameter's name.</summary>
    internal const string TokenProperty = "Token";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.LoopIgnoresToken,
        title: "Observe the CancellationToken in loops",
        messageFormat: "This loop in {0} never observes '{1}': cancelling cannot stop it between iterations; pass '{1}' on or check it",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A method that takes a CancellationToken promises to stop when it is cancelled. A loop that awaits work on every "
            + "iteration but never passes the token on, checks IsCancellationRequested or calls ThrowIfCancellationRequested runs "
            + "to its end (or forever) after cancellation. Loops that only compute are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.LoopIgnoresToken));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.CancellationToken is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Loop);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var loop = (ILoopOperation)context.Operation;
        if (CancellationHandlers.InsideLoop(loop))
            return; // The outermost loop speaks for the ones inside it.

        var function = AsyncCode.EnclosingFunction(loop, context.ContainingSymbol);
        IParameterSymbol? token = null;
        foreach (var parameter in function?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty)
        {
            if (CancellationTokens.IsCancellationToken(parameter.Type, types))
            {
                token = parameter;
                break;
            }
        }
        if (token is null || !DoesWork(loop) || ObservesAToken(loop, types))
            return;

        var owner = function!.MethodKind == MethodKind.AnonymousFunction ? context.ContainingSymbol : function;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(TokenProperty, token.Name);
        context.Report(Diagnostic.Create(Rule, LoopKeyword(loop), properties, SymbolNames.Quoted(owner), token.Name));
    }

    /// <summary>An await in the loop (not in a nested function), or a loop with no way out but a break and calls inside.</summary>
    private static bool DoesWork(ILoopOperation loop)
    {
        var endless = loop is IWhileLoopOperation { Condition: null or { ConstantValue: { HasValue: true, Value: true } } } or IForLoopOperation { Condition: null };
        foreach (var node in loop.Body.Descendants())
        {
            switch (node)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    continue;
                case IAwaitOperation:
                case IInvocationOperation when endless:
                    return true;
            }
        }
        return loop is IForEachLoopOperation { IsAsynchronous: true };
    }

    /// <summary>
    /// Any token in the loop: passed on, checked, a token source's Token, a carrier's RequestAborted; a carrier
    /// passed on whole (<c>await callback(context)</c>, where the context has a CancellationToken); or a call of
    /// a local function that uses a token it captured.
    /// </summary>
    private static bool ObservesAToken(ILoopOperation loop, KnownTypes types)
    {
        if (ReferencesAToken(loop, types))
            return true;
        foreach (var node in loop.Descendants())
        {
            switch (node)
            {
                case IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } call
                    when LocalFunctionBody(loop, call.TargetMethod) is { } localFunction && ReferencesAToken(localFunction, types):
                case IArgumentOperation argument when CancellationTokens.CarriesToken(argument, types):
                    return true;
            }
        }
        return false;
    }

    private static bool ReferencesAToken(IOperation root, KnownTypes types)
    {
        foreach (var node in root.DescendantsAndSelf())
        {
            if (node is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                && (CancellationTokens.IsCancellationToken(node.Type, types) || SymbolEqualityComparer.Default.Equals(node.Type, types.CancellationTokenSource)))
                return true;
            if (node is IInvocationOperation { TargetMethod.Name: "WithCancellation" or "ThrowIfCancellationRequested" })
                return true;
        }
        return false;
    }

    /// <summary>The declaration of <paramref name="localFunction"/> in the body around <paramref name="operation"/>.</summary>
    private static ILocalFunctionOperation? LocalFunctionBody(IOperation operation, IMethodSymbol localFunction)
    {
        foreach (var node in OperationTree.Root(operation).Descendants())
        {
            if (node is ILocalFunctionOperation declaration && SymbolEqualityComparer.Default.Equals(declaration.Symbol, localFunction.OriginalDefinition))
                return declaration;
        }
        return null;
    }

    private static Location LoopKeyword(ILoopOperation loop)
        => loop.Syntax.GetFirstToken() is var first && first.Parent is not null ? first.GetLocation() : loop.Syntax.GetLocation();
}
