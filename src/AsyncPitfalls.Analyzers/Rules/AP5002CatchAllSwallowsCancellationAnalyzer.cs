using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.OperationCanceledException is null || types.CancellationToken is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.CatchClause);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var clause = (ICatchClauseOperation)context.Operation;
        if (!CancellationHandlers.IsCatchAll(clause, types) || CancellationHandlers.Throws(clause, types)
            || CancellationHandlers.HandsOnTheException(clause, types)
            || clause.Parent is not ITryOperation @try
            || FilterExcludesCancellation(clause, types) || FilterSelectsOtherExceptions(clause, types)
            || CatchesCancellationBefore(@try, clause, types)
            || CancellationHandlers.IsEntryPoint(@try, context.ContainingSymbol, types)
            || !DoesCancellableWork(@try.Body, types) || ChecksTheTokenAfterwards(@try, types))
            return;

        var function = AsyncCode.EnclosingFunction(@try, context.ContainingSymbol);
        if (CancellationHandlers.FiltersOnAnotherToken(clause, function, types) || CancellationHandlers.ReportsFailureAsTryMethod(clause, function))
            return;

        var header = clause.ExceptionType.SpecialType == SpecialType.System_Object ? "catch" : $"catch ({clause.ExceptionType.Name})";
        var consequence = CancellationHandlers.InsideLoop(@try) ? "the loop goes on" : "carries on as if it had failed";
        context.Report(Diagnostic.Create(Rule, Declarations.CatchHeaderLocation(clause), header, consequence));
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

    /// <summary>
    /// A filter that picks the exceptions it handles by testing the caught exception for something a
    /// cancellation exception is not: <c>when (IsMissingTable(e))</c>, <c>when (e.GetType() == typeof(NotFoundException))</c>,
    /// <c>when (e is PostgresException { SqlState: "42P01" })</c>. Cancellation does not pass it. A filter that does not
    /// read the exception (<c>when (attempt &lt; 3)</c>), or lets it in when such a test fails (<c>when (!IsFatal(e))</c>,
    /// <c>when (e is not IOException)</c>), still catches cancellation.
    /// </summary>
    private static bool FilterSelectsOtherExceptions(ICatchClauseOperation clause, KnownTypes types)
        => clause.Filter is { } filter
            && clause.ExceptionDeclarationOrExpression is IVariableDeclaratorOperation { Symbol: { } caught }
            && LetsCancellationIn(filter, caught, types) == Truth.No;

    private enum Truth
    {
        No,
        Yes,
        Unknown,
    }

    /// <summary>
    /// Whether <paramref name="condition"/> holds when the caught exception is a cancellation, on the premise that
    /// a test of the exception (a call it is passed to, a property it has) looks for something else.
    /// </summary>
    private static Truth LetsCancellationIn(IOperation condition, ILocalSymbol caught, KnownTypes types)
    {
        switch (OperationTree.Unwrap(condition))
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Not(LetsCancellationIn(not.Operand, caught, types));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                return And(LetsCancellationIn(and.LeftOperand, caught, types), LetsCancellationIn(and.RightOperand, caught, types));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
                return Not(And(Not(LetsCancellationIn(or.LeftOperand, caught, types)), Not(LetsCancellationIn(or.RightOperand, caught, types))));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
                when IsCaught(comparison.LeftOperand, caught) || IsCaught(comparison.RightOperand, caught):
                // 'e != null', 'e == last': a test of the reference, not of what the exception is.
                return Truth.Unknown;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.NotEquals } comparison when Reads(comparison, caught):
                return Truth.Yes;
            case IIsTypeOperation isType when Reads(isType.ValueOperand, caught):
                var matches = IsCaught(isType.ValueOperand, caught) ? CancellationIs(isType.TypeOperand, types) : Truth.No;
                return isType.IsNegated ? Not(matches) : matches;
            case IIsPatternOperation isPattern when Reads(isPattern.Value, caught):
                return Matches(isPattern.Pattern, IsCaught(isPattern.Value, caught), types);
            case { } other when Reads(other, caught):
                return Truth.No;
            default:
                return Truth.Unknown;
        }
    }

    /// <summary>Whether a pattern matches a cancellation exception (<paramref name="onCaught"/>) or a property of it.</summary>
    private static Truth Matches(IPatternOperation pattern, bool onCaught, KnownTypes types)
    {
        switch (pattern)
        {
            case INegatedPatternOperation negated:
                return Not(Matches(negated.Pattern, onCaught, types));
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } and:
                return And(Matches(and.LeftPattern, onCaught, types), Matches(and.RightPattern, onCaught, types));
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } or:
                return Not(And(Not(Matches(or.LeftPattern, onCaught, types)), Not(Matches(or.RightPattern, onCaught, types))));
            case IDiscardPatternOperation:
            case IDeclarationPatternOperation { MatchesNull: true }:
                return Truth.Yes;
            case IDeclarationPatternOperation declaration:
                return onCaught ? CancellationIs(declaration.MatchedType, types) : Truth.No;
            case ITypePatternOperation type:
                return onCaught ? CancellationIs(type.MatchedType, types) : Truth.No;
            case IRecursivePatternOperation recursive:
                var typeMatches = onCaught ? CancellationIs(recursive.MatchedType, types) : Truth.Unknown;
                return recursive.PropertySubpatterns.IsEmpty && recursive.DeconstructionSubpatterns.IsEmpty ? typeMatches : And(typeMatches, Truth.No);
            case IConstantPatternOperation or IRelationalPatternOperation:
                return Truth.No;
            default:
                return Truth.Unknown;
        }
    }

    /// <summary>Whether a cancellation exception is a <paramref name="type"/>: yes for its base classes, no for an unrelated class.</summary>
    private static Truth CancellationIs(ITypeSymbol? type, KnownTypes types)
    {
        if (type is null || CancellationHandlers.IsCancellationException(type, types))
            return Truth.Unknown;
        if (TypeLookup.Is(types.OperationCanceledException, type as INamedTypeSymbol))
            return Truth.Yes;
        // An interface or a type parameter can be implemented by a class derived from OperationCanceledException.
        return type.TypeKind == TypeKind.Class ? Truth.No : Truth.Unknown;
    }

    private static Truth Not(Truth value) => value switch { Truth.No => Truth.Yes, Truth.Yes => Truth.No, _ => Truth.Unknown };

    private static Truth And(Truth left, Truth right)
        => left == Truth.No || right == Truth.No ? Truth.No : left == Truth.Yes && right == Truth.Yes ? Truth.Yes : Truth.Unknown;

    private static bool IsCaught(IOperation operation, ILocalSymbol caught)
        => OperationTree.Unwrap(operation) is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, caught);

    private static bool Reads(IOperation operation, ILocalSymbol caught)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, caught))
                return true;
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
            // 'catch (Exception e) when (ct.IsCancellationRequested && IsCancellation(e)) { throw new OperationCanceledException(ct); }':
            // the cancellation is taken, and thrown, before the catch-all sees it.
            if (CancellationHandlers.IsCatchAll(other, types) && FilterExcludesCancellation(other, types) && CancellationHandlers.Throws(other, types))
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

    /// <summary>
    /// The token the try's work takes is checked as soon as the handler is done: the statement right after the
    /// try (or after the <c>if</c> it ends) is <c>ct.ThrowIfCancellationRequested()</c>, or the loop around it stops on that token
    /// (<c>while (!ct.IsCancellationRequested)</c>, or a loop body that starts with the check and ends with the try,
    /// or with an <c>if</c> that ends with it).
    /// The cancellation is then not swallowed, only delayed to that check.
    /// </summary>
    private static bool ChecksTheTokenAfterwards(ITryOperation @try, KnownTypes types)
    {
        List<ISymbol>? tokens = null;
        foreach (var node in @try.Body.Descendants())
        {
            if (node is IArgumentOperation { ArgumentKind: not ArgumentKind.DefaultValue } argument
                && CancellationTokens.IsCancellationToken(argument.Parameter?.Type, types) && TokenSymbol(argument.Value) is { } token)
                (tokens ??= new()).Add(token);
        }
        if (tokens is null)
            return false;
        // The statement that runs next: after the try, or after the 'if' whose last statement the try is.
        IOperation last = @try;
        for (var current = (IOperation)@try; current.Parent is IBlockOperation or IConditionalOperation; current = current.Parent)
        {
            if (current.Parent is not IBlockOperation block)
                continue;
            var index = block.Operations.IndexOf(current);
            if (index < 0)
                return false;
            if (index + 1 < block.Operations.Length)
            {
                if (ChecksToken(block.Operations[index + 1], tokens))
                    return true;
                break;
            }
            last = current;
        }
        foreach (var ancestor in @try.Ancestors())
        {
            switch (ancestor)
            {
                case IWhileLoopOperation { Condition: { } condition } when StopsOnToken(condition, tokens):
                case IForLoopOperation { Condition: { } forCondition } when StopsOnToken(forCondition, tokens):
                    return true;
                case ILoopOperation { Body: IBlockOperation { Operations: { Length: > 1 } body } }
                    when body[body.Length - 1] == last && ChecksToken(body[0], tokens):
                    return true;
                case ILoopOperation:
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
            }
        }
        return false;
    }

    private static bool ChecksToken(IOperation statement, List<ISymbol> tokens)
        => statement is IExpressionStatementOperation { Operation: IInvocationOperation { TargetMethod.Name: "ThrowIfCancellationRequested", Instance: { } instance } }
            && TokenSymbol(instance) is { } token && tokens.Contains(token, SymbolEqualityComparer.Default);

    /// <summary><c>!ct.IsCancellationRequested</c>, alone or as one side of an <c>&amp;&amp;</c>.</summary>
    private static bool StopsOnToken(IOperation condition, List<ISymbol> tokens) => OperationTree.Unwrap(condition) switch
    {
        IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and => StopsOnToken(and.LeftOperand, tokens) || StopsOnToken(and.RightOperand, tokens),
        IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: IPropertyReferenceOperation { Property.Name: "IsCancellationRequested", Instance: { } instance } }
            => TokenSymbol(instance) is { } token && tokens.Contains(token, SymbolEqualityComparer.Default),
        _ => false,
    };

    /// <summary>What a token comes from: its local, parameter, field or property, or the token source of <c>cts.Token</c>.</summary>
    private static ISymbol? TokenSymbol(IOperation operation) => OperationTree.Unwrap(operation) switch
    {
        IPropertyReferenceOperation { Property.Name: "Token", Instance: { } source } => TokenSymbol(source),
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation } property => property.Property,
        _ => null,
    };

    private static bool IsNoneOrDefault(IOperation value)
        => OperationTree.Unwrap(value) is IDefaultValueOperation or IPropertyReferenceOperation { Property.Name: "None", Property.IsStatic: true };
}
