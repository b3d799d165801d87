using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.OperationCanceledException is null)
                return;
            var hostedService = start.Compilation.GetBestType("Microsoft.Extensions.Hosting.IHostedService");
            start.RegisterOperationAction(c => Analyze(c, types, hostedService), OperationKind.CatchClause);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, INamedTypeSymbol? hostedService)
    {
        var clause = (ICatchClauseOperation)context.Operation;
        if (!CancellationHandlers.IsCancellationException(clause.ExceptionType, types) || CancellationHandlers.Throws(clause, types)
            || CancellationHandlers.HandsOnTheException(clause, types)
            || clause.Parent is not ITryOperation @try
            || CancellationHandlers.IsEntryPoint(@try, context.ContainingSymbol, types)
            || IsShutdownLoopInEntryPoint(@try, context.ContainingSymbol, types))
            return;

        var function = AsyncCode.EnclosingFunction(@try, context.ContainingSymbol);
        if (CancellationHandlers.FiltersOnAnotherToken(clause, function, types) || CancellationHandlers.CancelsItsOwnTokenSource(@try, function, types)
            || FallsThroughToAThrow(clause, @try)
            || function is not null && CancellationOrigins.IsOwnTimeout(@try, function, types)
            || function is not null && CancellationOrigins.IsOwnedBackgroundLoop(@try, function, types)
            || IsDisposeOrHostedStop(function, types, hostedService))
            return;

        var consequence = Consequence(clause, @try, function, types);
        if (consequence is null)
            return;

        context.Report(Diagnostic.Create(Rule, Declarations.CatchHeaderLocation(clause), clause.ExceptionType.Name, consequence));
    }

    /// <summary>What swallowing leads to here, or null when the code simply ends (nothing goes on).</summary>
    private static string? Consequence(ICatchClauseOperation clause, ITryOperation @try, IMethodSymbol? function, KnownTypes types)
    {
        var handlerEnds = clause.Handler.Operations.Length > 0 && EndsTheFunctionOrLoop(clause.Handler.Operations[clause.Handler.Operations.Length - 1]);
        if (!handlerEnds && CancellationHandlers.InsideLoop(@try))
            return "the loop goes on";
        if (!handlerEnds && HasCodeAfter(@try))
            return "the code after it runs";
        if (function is not null && HasTokenParameter(function, types) && !CancellationHandlers.ReportsFailureAsTryMethod(clause, function))
            return $"'{SymbolNames.ForMessage(function.MethodKind == MethodKind.AnonymousFunction ? function.ContainingSymbol : function)}' returns as if it had completed";
        return null;
    }

    /// <summary>
    /// A statement after which the handler does not go on: <c>return</c>, <c>break</c>, <c>goto</c>, or a
    /// try (a lock released in its finally) whose body and handlers all end that way.
    /// </summary>
    private static bool EndsTheFunctionOrLoop(IOperation statement)
    {
        switch (statement)
        {
            case IReturnOperation or IBranchOperation { BranchKind: BranchKind.Break or BranchKind.GoTo }:
                return true;
            case IBlockOperation block:
                return block.Operations.Length > 0 && EndsTheFunctionOrLoop(block.Operations[block.Operations.Length - 1]);
            case ITryOperation nested:
                if (!EndsTheFunctionOrLoop(nested.Body))
                    return false;
                foreach (var handler in nested.Catches)
                {
                    if (!EndsTheFunctionOrLoop(handler.Handler) && !IsThrow(LastOf(handler.Handler)))
                        return false;
                }
                return true;
            default:
                return false;
        }
    }

    private static IOperation? LastOf(IBlockOperation block) => block.Operations.Length > 0 ? block.Operations[block.Operations.Length - 1] : null;

    private static bool IsThrow(IOperation? statement)
        => statement is IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation };

    /// <summary>
    /// <c>try { ... } catch (OperationCanceledException) { } throw;</c>: the handler falls through to a throw
    /// right after the try (the outer handler's rethrow, <c>throw e;</c>), so the method still ends by throwing.
    /// </summary>
    private static bool FallsThroughToAThrow(ICatchClauseOperation clause, ITryOperation @try)
    {
        if (LastOf(clause.Handler) is { } last && EndsTheFunctionOrLoop(last))
            return false;
        if (@try.Parent is not IBlockOperation block)
            return false;
        var index = block.Operations.IndexOf(@try);
        return index >= 0 && index + 1 < block.Operations.Length && IsThrow(block.Operations[index + 1]);
    }

    /// <summary>
    /// <c>IDisposable.Dispose</c>, <c>IAsyncDisposable.DisposeAsync</c> or <c>IHostedService.StopAsync</c> itself
    /// (not a lambda in it): a dispose must not throw, and StopAsync's token only says the stop should no
    /// longer be graceful. Giving up the graceful wait on cancellation and forcing the stop is their contract.
    /// </summary>
    private static bool IsDisposeOrHostedStop(IMethodSymbol? function, KnownTypes types, INamedTypeSymbol? hostedService)
    {
        if (function is not { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation, ContainingType: { } type })
            return false;
        return function.Name switch
        {
            "Dispose" or "System.IDisposable.Dispose" => Implements(function, type, type.AllInterfaces.FirstOrDefault(i => i.SpecialType == SpecialType.System_IDisposable), "Dispose"),
            "DisposeAsync" or "System.IAsyncDisposable.DisposeAsync" => Implements(function, type, types.IAsyncDisposable, "DisposeAsync"),
            _ => function.Name.EndsWith("StopAsync", System.StringComparison.Ordinal) && Implements(function, type, hostedService, "StopAsync"),
        };
    }

    private static bool Implements(IMethodSymbol function, INamedTypeSymbol type, INamedTypeSymbol? @interface, string member)
    {
        if (@interface is null)
            return false;
        foreach (var candidate in @interface.GetMembers(member))
        {
            if (type.FindImplementationForInterfaceMember(candidate) is not IMethodSymbol implementation)
                continue;
            // The implementing method, or an override of it (a derived class's DisposeAsync).
            for (var current = function; current is not null; current = current.OverriddenMethod)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, implementation.OriginalDefinition))
                    return true;
            }
        }
        return false;
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

/// <summary>
/// Where the cancellation a try can see comes from, for AP5001: the tokens its body reads, traced back through
/// locals, <c>.Token</c>, <c>?.</c> and <c>??</c> to a token source the method or its object owns.
/// </summary>
internal static class CancellationOrigins
{
    private enum Origin
    {
        /// <summary><c>default</c>, <c>CancellationToken.None</c>: never cancelled.</summary>
        Never,
        /// <summary>A field of the containing type holding a token source it creates (or a token field set from one).</summary>
        OwnedField,
        /// <summary>A local token source created in this function with <c>new</c>, not linked to anything.</summary>
        OwnLocal,
        /// <summary>A token parameter of the function itself.</summary>
        Parameter,
        Unknown,
    }

    private const int MaxDepth = 4;

    /// <summary>
    /// Cancellation the method caused itself: every token the try reads comes from a token source the function
    /// created with <c>new</c> (not linked) and gave a timeout (<c>new CancellationTokenSource(timeout)</c>,
    /// <c>CancelAfter</c>) or cancels itself. The handler turns the method's own timeout into a result; no
    /// caller's request is involved.
    /// </summary>
    public static bool IsOwnTimeout(ITryOperation @try, IMethodSymbol function, KnownTypes types)
    {
        var sawOwn = false;
        foreach (var (origin, source) in TokensRead(@try, function, types))
        {
            switch (origin)
            {
                case Origin.Never:
                    break;
                case Origin.OwnLocal when source is ILocalSymbol local && TimesOutOrIsCancelled(local, @try, types):
                    sawOwn = true;
                    break;
                default:
                    return false;
            }
        }
        return sawOwn;
    }

    /// <summary>
    /// A background loop or dedicated thread ending on its owner's stop signal: the function is private (or local)
    /// and started only fire-and-forget by its own type (a discarded <c>Task.Run</c>, a method group given to
    /// <c>Task.Run</c> or <c>new Thread</c>, a task stored in a field, an async void call), and the tokens the try
    /// reads come from token sources its type owns (directly, or passed in at every start). Nobody awaits such a
    /// loop to learn it was cancelled: catching its stop signal and returning is how it ends.
    /// </summary>
    public static bool IsOwnedBackgroundLoop(ITryOperation @try, IMethodSymbol function, KnownTypes types)
    {
        if (types.CancellationTokenSource is null || function.ContainingType is not { } containingType)
            return false;

        var tokens = TokensRead(@try, function, types).ToList();
        if (tokens.Any(t => t.Origin is Origin.Unknown or Origin.OwnLocal))
            return false;

        var semanticModel = @try.SemanticModel;
        if (semanticModel is null)
            return false;

        if (function.MethodKind == MethodKind.AnonymousFunction)
        {
            // A lambda handed straight to Task.Run: it is its own start site; it has no parameters to trace.
            if (tokens.Any(t => t.Origin == Origin.Parameter))
                return false;
            IAnonymousFunctionOperation? lambda = null;
            foreach (var ancestor in @try.Ancestors())
            {
                if (ancestor is IAnonymousFunctionOperation found)
                {
                    lambda = found;
                    break;
                }
            }
            if (lambda is null || !IsStart(lambda, function, types, out var lambdaStarterToken))
                return false;
            return tokens.Any(t => t.Origin == Origin.OwnedField) || lambdaStarterToken;
        }

        if (function.MethodKind != MethodKind.LocalFunction && function.DeclaredAccessibility != Accessibility.Private)
            return false;
        var starts = StartSites(function, semanticModel, types);
        if (starts is null || starts.Count == 0)
            return false;

        var ownedSeen = tokens.Any(t => t.Origin == Origin.OwnedField);
        foreach (var parameter in tokens.Where(t => t.Origin == Origin.Parameter).Select(t => (IParameterSymbol)t.Symbol!).Distinct<IParameterSymbol>(SymbolEqualityComparer.Default))
        {
            foreach (var start in starts)
            {
                if (start.Site is not IInvocationOperation invocation)
                    return false;
                var argument = invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, parameter.OriginalDefinition));
                if (argument is null)
                    return false;
                var startFunction = EnclosingMethod(invocation);
                var (origin, _) = Resolve(argument.Value, startFunction, types, 0);
                if (origin is not (Origin.OwnedField or Origin.Never))
                    return false;
                ownedSeen |= origin == Origin.OwnedField;
            }
        }
        if (ownedSeen)
            return true;

        // No token in sight (a channel read that ends when the object is torn down): every start hands the
        // work an owned token, or starts a dedicated thread of a type that owns a token source.
        return tokens.Count == 0 && starts.All(s => s.StarterOwnsToken || s.IsThread && OwnsATokenSource(containingType, types));
    }

    private static bool OwnsATokenSource(INamedTypeSymbol type, KnownTypes types)
        => type.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.Type, types.CancellationTokenSource));

    private sealed class StartSite
    {
        public StartSite(IOperation site, bool starterOwnsToken, bool isThread)
        {
            Site = site;
            StarterOwnsToken = starterOwnsToken;
            IsThread = isThread;
        }

        public IOperation Site { get; }
        public bool StarterOwnsToken { get; }
        public bool IsThread { get; }
    }

    /// <summary>
    /// Every reference to <paramref name="function"/> in its type's declaration, each a fire-and-forget start;
    /// null when one is not (awaited, returned, kept in a local) or the type is declared in several places.
    /// </summary>
    private static List<StartSite>? StartSites(IMethodSymbol function, SemanticModel semanticModel, KnownTypes types)
    {
        var type = function.ContainingType;
        if (type.DeclaringSyntaxReferences.Length != 1 || type.DeclaringSyntaxReferences[0].SyntaxTree != semanticModel.SyntaxTree)
            return null;
        var declaration = type.DeclaringSyntaxReferences[0].GetSyntax();
        var sites = new List<StartSite>();
        foreach (var name in declaration.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != function.Name)
                continue;
            if (!SymbolEqualityComparer.Default.Equals(semanticModel.GetSymbolInfo(name).Symbol?.OriginalDefinition, function.OriginalDefinition))
                continue;
            SyntaxNode node = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
            if (node.Parent is InvocationExpressionSyntax call && call.Expression == node)
                node = call;
            var operation = semanticModel.GetOperation(node);
            if (operation is null || !IsStart(operation, function, types, out var starterOwnsToken, out var isThread))
                return null;
            sites.Add(new StartSite(operation, starterOwnsToken, isThread));
        }
        return sites;
    }

    private static bool IsStart(IOperation reference, IMethodSymbol function, KnownTypes types, out bool starterOwnsToken)
        => IsStart(reference, function, types, out starterOwnsToken, out _);

    private static bool IsStart(IOperation reference, IMethodSymbol function, KnownTypes types, out bool starterOwnsToken, out bool isThread)
    {
        starterOwnsToken = false;
        isThread = false;
        // Handed to a starter: Task.Run(M), Task.Run(() => M(_cts.Token)), new Thread(M), ThreadPool.QueueUserWorkItem.
        for (var current = reference; current.Parent is { } parent; current = parent)
        {
            if (current is not IArgumentOperation argument)
                continue;
            switch (argument.Parent)
            {
                case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, types.Thread):
                    isThread = true;
                    return true;
                case IInvocationOperation starter when IsStarter(starter.TargetMethod, types):
                    if (IsAwaitedOrReturned(starter))
                        return false;
                    foreach (var other in starter.Arguments)
                    {
                        if (other != argument && CancellationTokens.IsCancellationToken(other.Value.Type, types)
                            && Resolve(other.Value, EnclosingMethod(starter), types, 0).Origin == Origin.OwnedField)
                            starterOwnsToken = true;
                    }
                    return true;
            }
        }

        // Called directly: async void, or the task discarded or kept in a field.
        if (reference is not IInvocationOperation invocation)
            return false;
        if (function.ReturnsVoid)
            return function.IsAsync;
        var user = invocation.Parent;
        while (user is IConversionOperation or IInvocationOperation { TargetMethod.Name: "ConfigureAwait" })
            user = user.Parent;
        return user switch
        {
            IExpressionStatementOperation => true,
            ISimpleAssignmentOperation { Target: IDiscardOperation or IFieldReferenceOperation } assignment => assignment.Parent is IExpressionStatementOperation,
            _ => false,
        };
    }

    private static bool IsStarter(IMethodSymbol method, KnownTypes types)
    {
        var containing = method.ContainingType?.OriginalDefinition;
        return method.Name switch
        {
            "Run" => SymbolEqualityComparer.Default.Equals(containing, types.Task),
            "StartNew" => SymbolEqualityComparer.Default.Equals(containing, types.TaskFactory) || SymbolEqualityComparer.Default.Equals(containing, types.TaskFactoryOfT),
            "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" => containing?.Name == "ThreadPool",
            _ => false,
        };
    }

    /// <summary>
    /// Whether the started task flows into an await, a return, a local or a call (<c>tasks.Add(...)</c>, later
    /// <c>Task.WhenAll</c>): then someone may wait for it. A void fire-and-forget extension
    /// (<c>Task.Run(...).Forget()</c>) does not count.
    /// </summary>
    private static bool IsAwaitedOrReturned(IOperation starter)
    {
        foreach (var ancestor in starter.Ancestors())
        {
            switch (ancestor)
            {
                case IAwaitOperation or IReturnOperation:
                    return true;
                case IArgumentOperation { Parameter.Ordinal: 0, Parent: IInvocationOperation { TargetMethod: { IsExtensionMethod: true, ReturnsVoid: true } } }:
                    break;
                case IArgumentOperation:
                    return true;
                case IExpressionStatementOperation or IVariableDeclarationGroupOperation or IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return ancestor is IVariableDeclarationGroupOperation;
            }
        }
        return false;
    }

    private static IMethodSymbol? EnclosingMethod(IOperation operation)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            switch (ancestor)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol;
                case ILocalFunctionOperation local:
                    return local.Symbol;
            }
        }
        return operation.SemanticModel?.GetEnclosingSymbol(operation.Syntax.SpanStart) as IMethodSymbol;
    }

    /// <summary>The token sources the try body reads: token-typed arguments and <c>.Token</c> reads, outside nested functions.</summary>
    private static IEnumerable<(Origin Origin, ISymbol? Symbol)> TokensRead(ITryOperation @try, IMethodSymbol function, KnownTypes types)
    {
        foreach (var node in @try.Body.Descendants())
        {
            if (node is IArgumentOperation argument && CancellationTokens.IsCancellationToken(argument.Value.Type, types)
                && argument.ArgumentKind != ArgumentKind.DefaultValue)
                yield return Resolve(argument.Value, function, types, 0);
        }
    }

    private static (Origin Origin, ISymbol? Symbol) Resolve(IOperation? value, IMethodSymbol? function, KnownTypes types, int depth)
    {
        if (value is null || depth > MaxDepth)
            return (Origin.Unknown, null);
        switch (value)
        {
            case IConversionOperation conversion:
                return Resolve(conversion.Operand, function, types, depth);
            case IDefaultValueOperation:
            case IPropertyReferenceOperation { Property: { Name: "None", IsStatic: true } } when CancellationTokens.IsCancellationToken(value.Type, types):
                return (Origin.Never, null);
            case IPropertyReferenceOperation { Property.Name: "Token", Instance: { } source } when SymbolEqualityComparer.Default.Equals(source.Type, types.CancellationTokenSource):
                return Resolve(source, function, types, depth + 1);
            case IConditionalAccessOperation { Operation: { } receiver, WhenNotNull: IPropertyReferenceOperation { Property.Name: "Token" } }
                when SymbolEqualityComparer.Default.Equals(receiver.Type, types.CancellationTokenSource):
                return Resolve(receiver, function, types, depth + 1);
            case ICoalesceOperation coalesce:
                return Combine(Resolve(coalesce.Value, function, types, depth + 1), Resolve(coalesce.WhenNull, function, types, depth + 1));
            case IParameterReferenceOperation parameter when function is not null
                && SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, function):
                return (Origin.Parameter, parameter.Parameter);
            case IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field:
                return (IsOwnedField(field.Field, field.SemanticModel, types, depth) ? Origin.OwnedField : Origin.Unknown, field.Field);
            case ILocalReferenceOperation local:
                return ResolveLocal(local, function, types, depth);
            default:
                return (Origin.Unknown, null);
        }
    }

    private static (Origin, ISymbol?) Combine((Origin Origin, ISymbol? Symbol) left, (Origin Origin, ISymbol? Symbol) right)
        => left.Origin == Origin.Never ? right : right.Origin == Origin.Never || right.Origin == left.Origin ? left : (Origin.Unknown, null);

    private static (Origin, ISymbol?) ResolveLocal(ILocalReferenceOperation reference, IMethodSymbol? function, KnownTypes types, int depth)
    {
        var local = reference.Local;
        var values = LocalValues(local, reference);
        if (values is null || values.Count == 0)
            return (Origin.Unknown, local);
        if (SymbolEqualityComparer.Default.Equals(local.Type, types.CancellationTokenSource))
        {
            // Created here with 'new' (or cleared to null): the function's own source. CreateLinkedTokenSource and
            // sources from elsewhere are not.
            var created = false;
            foreach (var value in values)
            {
                if (IsNull(value))
                    continue;
                if (Unwrap(value) is not IObjectCreationOperation)
                    return (Origin.Unknown, local);
                created = true;
            }
            return created ? (Origin.OwnLocal, local) : (Origin.Unknown, local);
        }
        (Origin Origin, ISymbol? Symbol) result = (Origin.Never, null);
        foreach (var value in values)
            result = Combine(result, Resolve(value, function, types, depth + 1));
        return result;
    }

    private static IOperation Unwrap(IOperation value) => value is IConversionOperation conversion ? Unwrap(conversion.Operand) : value;

    private static bool IsNull(IOperation value) => value.ConstantValue is { HasValue: true, Value: null };

    /// <summary>
    /// Every value the local is given in its function (its initializer and each <c>=</c>); null when it is also
    /// written another way (<c>ref</c>, <c>out</c>, a compound or deconstructing assignment).
    /// </summary>
    private static List<IOperation>? LocalValues(ILocalSymbol local, IOperation inside)
    {
        var root = inside;
        foreach (var ancestor in inside.Ancestors())
            root = ancestor;
        var values = new List<IOperation>();
        foreach (var node in root.DescendantsAndSelf())
        {
            switch (node)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    if ((declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer)?.Value is { } initial)
                        values.Add(initial);
                    break;
                case ILocalReferenceOperation target when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    switch (target.Parent)
                    {
                        case ISimpleAssignmentOperation assignment when assignment.Target == target:
                            values.Add(assignment.Value);
                            break;
                        case IAssignmentOperation assignment when assignment.Target == target:
                        case IArgumentOperation { Parameter.RefKind: not RefKind.None }:
                        case ITupleOperation:
                            return null;
                    }
                    break;
            }
        }
        return values;
    }

    /// <summary>
    /// A token source field the type creates itself (every assignment in its declaration is <c>new</c>), or a token
    /// field every assignment of which reads <c>.Token</c> of such a field.
    /// </summary>
    private static bool IsOwnedField(IFieldSymbol field, SemanticModel? model, KnownTypes types, int depth)
    {
        if (model is null || depth > MaxDepth || field.ContainingType is not { } type
            || type.DeclaringSyntaxReferences.Length != 1 || type.DeclaringSyntaxReferences[0].SyntaxTree != model.SyntaxTree)
            return false;
        var isSource = SymbolEqualityComparer.Default.Equals(field.Type, types.CancellationTokenSource);
        if (!isSource && !CancellationTokens.IsCancellationToken(field.Type, types))
            return false;

        var assigned = 0;
        foreach (var value in AssignedValues(field, type.DeclaringSyntaxReferences[0].GetSyntax(), model))
        {
            // Cleared after disposal ('_cts = null;'): no other source takes its place.
            if (value.IsKind(SyntaxKind.NullLiteralExpression) || value.IsKind(SyntaxKind.DefaultLiteralExpression))
                continue;
            assigned++;
            if (isSource ? value is not BaseObjectCreationExpressionSyntax
                : model.GetOperation(value) is not IPropertyReferenceOperation { Property.Name: "Token", Instance: IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } source }
                    || !SymbolEqualityComparer.Default.Equals(source.Type, types.CancellationTokenSource)
                    || !IsOwnedField(source.Field, model, types, depth + 1))
                return false;
        }
        return assigned > 0;
    }

    private static IEnumerable<ExpressionSyntax> AssignedValues(IFieldSymbol field, SyntaxNode typeDeclaration, SemanticModel model)
    {
        foreach (var node in typeDeclaration.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator when declarator.Identifier.ValueText == field.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator), field):
                    yield return initializer;
                    break;
                case AssignmentExpressionSyntax assignment when AssignedName(assignment.Left) == field.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left).Symbol, field):
                    yield return assignment.Right;
                    break;
            }
        }
    }

    private static string? AssignedName(ExpressionSyntax target) => target switch
    {
        IdentifierNameSyntax name => name.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The local source gets a timeout (<c>new CancellationTokenSource(timeout)</c>, <c>CancelAfter</c>) or is cancelled in the function.</summary>
    private static bool TimesOutOrIsCancelled(ILocalSymbol local, IOperation inside, KnownTypes types)
    {
        if (LocalValues(local, inside)?.Any(v => Unwrap(v) is IObjectCreationOperation { Arguments.Length: > 0 }) == true)
            return true;
        var root = inside;
        foreach (var ancestor in inside.Ancestors())
            root = ancestor;
        foreach (var node in root.Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" or "CancelAfter", Instance: ILocalReferenceOperation target }
                && SymbolEqualityComparer.Default.Equals(target.Local, local))
                return true;
        }
        return false;
    }
}
