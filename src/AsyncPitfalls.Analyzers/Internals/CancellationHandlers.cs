using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>Shared questions of the cancellation rules about catch clauses and where they stand.</summary>
internal static class CancellationHandlers
{
    /// <summary>OperationCanceledException or a type derived from it (TaskCanceledException).</summary>
    public static bool IsCancellationException(ITypeSymbol? type, KnownTypes types)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, types.OperationCanceledException))
                return true;
        }
        return false;
    }

    /// <summary><c>catch</c>, <c>catch (Exception)</c>: catches cancellation among everything else.</summary>
    public static bool IsCatchAll(ICatchClauseOperation clause, KnownTypes types)
        => clause.ExceptionType.SpecialType == SpecialType.System_Object
            || SymbolEqualityComparer.Default.Equals(clause.ExceptionType, types.Exception);

    /// <summary>
    /// Whether the handler can end by throwing: a throw statement or expression (a rethrow, a
    /// conversion to TimeoutException), <c>ThrowIfCancellationRequested()</c>, or a throw helper: one marked
    /// <c>[DoesNotReturn]</c> (<c>Throw.JobPersistenceException(...)</c>), or one that always throws without
    /// saying so (see <see cref="AlwaysThrows"/>).
    /// </summary>
    public static bool Throws(ICatchClauseOperation clause, KnownTypes types)
    {
        foreach (var node in clause.Handler.Descendants())
        {
            switch (node)
            {
                case IThrowOperation:
                case IInvocationOperation { TargetMethod.Name: "ThrowIfCancellationRequested" }:
                    return true;
                case IInvocationOperation invocation when AlwaysThrows(invocation.TargetMethod, types):
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A throw helper without <c>[DoesNotReturn]</c>: a method of this compilation, not virtual, whose body ends in
    /// a throw on every path and has no <c>return</c> (<c>=&gt; throw new X(...)</c>, an <c>if</c>/<c>else</c> that
    /// throws in both branches), or ends in a call to another throw helper of its type. Read from syntax, once per
    /// method and compilation. A helper of a referenced assembly without the attribute is not taken on its name.
    /// </summary>
    private static bool AlwaysThrows(IMethodSymbol method, KnownTypes types, int depth = 0)
    {
        var definition = method.ReducedFrom ?? method.OriginalDefinition;
        if (TypeLookup.HasAttribute(definition, types.DoesNotReturnAttribute))
            return true;
        // A helper that delegates to a helper is followed a few calls deep; a cycle ends there, as not throwing.
        if (depth > 3 || definition.IsAbstract || definition.IsVirtual || definition.IsOverride && !definition.IsSealed && !definition.ContainingType.IsSealed
            || definition.DeclaringSyntaxReferences.Length != 1)
            return false;
        // Only answers read from the helper itself are kept: one cut short by the depth depends on who asked first.
        return depth == 0
            ? CompilationCaches.For(types).ThrowHelpers.GetOrAdd(definition, m => BodyAlwaysThrows(m.DeclaringSyntaxReferences[0].GetSyntax(), m, types, 1))
            : BodyAlwaysThrows(definition.DeclaringSyntaxReferences[0].GetSyntax(), definition, types, depth + 1);
    }

    private static bool BodyAlwaysThrows(SyntaxNode declaration, IMethodSymbol method, KnownTypes types, int depth)
    {
        (BlockSyntax? body, ExpressionSyntax? expression) = declaration switch
        {
            BaseMethodDeclarationSyntax declared => (declared.Body, declared.ExpressionBody?.Expression),
            LocalFunctionStatementSyntax local => (local.Body, local.ExpressionBody?.Expression),
            _ => ((BlockSyntax?)null, (ExpressionSyntax?)null),
        };
        if (expression is not null)
            return expression is ThrowExpressionSyntax || CallsAThrowHelper(expression, method, types, depth);
        return body is not null && EndsInThrow(body, method, types, depth)
            && !body.DescendantNodes(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<ReturnStatementSyntax>().Any();
    }

    private static bool EndsInThrow(StatementSyntax statement, IMethodSymbol method, KnownTypes types, int depth) => statement switch
    {
        ThrowStatementSyntax => true,
        BlockSyntax block => block.Statements.Count > 0 && EndsInThrow(block.Statements[block.Statements.Count - 1], method, types, depth),
        IfStatementSyntax { Else: { } @else } @if => EndsInThrow(@if.Statement, method, types, depth) && EndsInThrow(@else.Statement, method, types, depth),
        ExpressionStatementSyntax { Expression: var expression } => CallsAThrowHelper(expression, method, types, depth),
        _ => false,
    };

    /// <summary>
    /// A call to a throw helper of the helper's own type, called by its simple name, whose every overload is a throw
    /// helper (the body is read as syntax, not bound).
    /// </summary>
    private static bool CallsAThrowHelper(ExpressionSyntax expression, IMethodSymbol method, KnownTypes types, int depth)
    {
        if (expression is not InvocationExpressionSyntax { Expression: var callee })
            return false;
        var name = callee switch
        {
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            _ => null,
        };
        if (name is null)
            return false;
        if (callee is not SimpleNameSyntax)
            return false;
        var found = false;
        foreach (var member in method.ContainingType.GetMembers(name))
        {
            if (member is not IMethodSymbol candidate || !AlwaysThrows(candidate, types, depth))
                return false;
            found = true;
        }
        return found;
    }

    /// <summary>
    /// <c>TryDequeueAsync</c> whose handler ends in <c>return false;</c> (or another value), or falls through to
    /// a <c>return false;</c> right after the try: a Try method reports failure through its result, which its
    /// callers check, so cancellation is not taken for success.
    /// </summary>
    public static bool ReportsFailureAsTryMethod(ICatchClauseOperation clause, IMethodSymbol? function)
    {
        if (function is not { MethodKind: not MethodKind.AnonymousFunction }
            || function.Name.Length <= 3 || !function.Name.StartsWith("Try", System.StringComparison.Ordinal) || !char.IsUpper(function.Name[3]))
            return false;
        var handler = clause.Handler.Operations;
        if (handler.Length > 0)
            return handler[handler.Length - 1] is IReturnOperation { ReturnedValue: not null };
        // An empty handler: what follows the try is what the method returns on failure.
        if (clause.Parent is not ITryOperation { Parent: IBlockOperation block } @try)
            return false;
        var index = block.Operations.IndexOf(@try);
        return index >= 0 && index + 1 < block.Operations.Length && block.Operations[index + 1] is IReturnOperation { ReturnedValue: not null };
    }

    /// <summary>
    /// The handler hands the outcome on instead of swallowing it:
    /// <list type="bullet">
    /// <item>it completes a task with it (<c>tcs.TrySetException(ex)</c>, <c>tcs.TrySetCanceled()</c>, an async method
    /// builder's <c>SetException(ex)</c> in a hand-written or decompiled state machine): whoever awaits that task sees
    /// the cancellation; or with a result that carries the exception (<c>tcs.TrySetResult((Status.Canceled, ex))</c>);</item>
    /// <item>it passes the caught exception to an observer's <c>OnError</c> (<c>Observable.Create</c>): the subscriber sees it;</item>
    /// <item>it stores the caught exception (or what wraps it) in a variable or a collection that the same function
    /// throws later (<c>failure = ex; ... throw failure;</c>, <c>errors.Add(ex); ... throw new AggregateException(errors);</c>,
    /// <c>ExceptionDispatchInfo.Capture(failure).Throw()</c>).</item>
    /// </list>
    /// </summary>
    public static bool HandsOnTheException(ICatchClauseOperation clause, KnownTypes types)
    {
        var caught = (clause.ExceptionDeclarationOrExpression as IVariableDeclaratorOperation)?.Symbol;
        List<ISymbol>? carriers = null;
        foreach (var node in clause.Handler.Descendants())
        {
            switch (node)
            {
                case IInvocationOperation { TargetMethod: { Name: "SetException" or "TrySetException" or "SetCanceled" or "TrySetCanceled" } method }
                    when TaskCompleters.ContainsType(method.ContainingType.OriginalDefinition):
                    return true;
                case IInvocationOperation { TargetMethod: { Name: "SetResult" or "TrySetResult" } method } invocation
                    when caught is not null && TaskCompleters.ContainsType(method.ContainingType.OriginalDefinition) && invocation.Arguments.Any(a => Mentions(a.Value, caught)):
                    // A result that carries the exception: tcs.TrySetResult((Outcome.Canceled, ex)).
                    return true;
                case IInvocationOperation { TargetMethod.Name: "OnError" } invocation
                    when caught is not null && IsObserverMethod(invocation.TargetMethod) && invocation.Arguments.Any(a => Mentions(a.Value, caught)):
                    return true;
                case ISimpleAssignmentOperation assignment when caught is not null && Mentions(assignment.Value, caught) && Storage(assignment.Target) is { } target:
                    (carriers ??= new()).Add(target);
                    break;
                case IInvocationOperation { Instance: { } instance } invocation
                    when caught is not null && IsCollection(instance.Type) && Storage(instance) is { } collection && invocation.Arguments.Any(a => Mentions(a.Value, caught)):
                    (carriers ??= new()).Add(collection);
                    break;
            }
        }
        return carriers is not null && ThrowsLater(clause, carriers, types);
    }

    /// <summary>A collection (<c>errors.Add(ex)</c>), not a logger or another object the exception is shown to.</summary>
    private static bool IsCollection(ITypeSymbol? type)
        => type is not null && (type.SpecialType == SpecialType.System_Collections_IEnumerable
            || type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable));

    /// <summary><c>IObserver&lt;T&gt;.OnError</c>, called through the interface or a class implementing it.</summary>
    private static bool IsObserverMethod(IMethodSymbol method)
    {
        if (Observers.ContainsType(method.ContainingType.OriginalDefinition))
            return true;
        foreach (var @interface in method.ContainingType.AllInterfaces)
        {
            if (Observers.ContainsType(@interface.OriginalDefinition))
                return true;
        }
        return false;
    }

    private static readonly SymbolNameList Observers = SymbolNameList.Of("System.IObserver");

    /// <summary>
    /// A throw of the function around <paramref name="clause"/>, outside its handler, that throws one of the
    /// <paramref name="carriers"/> or what is built from it, directly or through a copy (<c>var stored = _failure;</c>).
    /// </summary>
    private static bool ThrowsLater(ICatchClauseOperation clause, List<ISymbol> carriers, KnownTypes types)
    {
        var root = FunctionRoot(clause);
        var handler = clause.Handler.Syntax.Span;
        foreach (var node in root.Descendants())
        {
            switch (node)
            {
                case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when MentionsAny(value, carriers):
                    carriers.Add(declarator.Symbol);
                    break;
                case ISimpleAssignmentOperation assignment when MentionsAny(assignment.Value, carriers) && Storage(assignment.Target) is { } copy:
                    carriers.Add(copy);
                    break;
            }
        }
        // In a retry loop, 'last = ex;' thrown after the loop comes only once every attempt has been made,
        // cancelled ones included: the throw must come before the loop goes round again. A foreach gathers
        // the failures of different items, and may throw them after the loop.
        var loop = InnermostLoop(clause.Parent ?? clause);
        var scope = loop is null or IForEachLoopOperation ? root : loop;
        foreach (var node in scope.Descendants())
        {
            if (handler.Contains(node.Syntax.Span))
                continue;
            switch (node)
            {
                case IThrowOperation { Exception: { } thrown } when MentionsAny(thrown, carriers):
                case IInvocationOperation invocation when TypeLookup.HasAttribute(invocation.TargetMethod, types.DoesNotReturnAttribute) && MentionsAny(invocation, carriers):
                    return true;
            }
        }
        return false;
    }

    /// <summary>The body of the function (method, lambda, local function) that holds <paramref name="operation"/>.</summary>
    private static IOperation FunctionRoot(IOperation operation)
    {
        var root = operation;
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                break;
            root = ancestor;
        }
        return root;
    }

    /// <summary>A local, a field of this object or a static one, or a parameter: where a value can wait to be thrown.</summary>
    private static ISymbol? Storage(IOperation target) => OperationTree.Unwrap(target) switch
    {
        ILocalReferenceOperation local => local.Local,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

    private static bool Mentions(IOperation operation, ISymbol symbol) => MentionsAny(operation, new List<ISymbol> { symbol });

    private static bool MentionsAny(IOperation operation, List<ISymbol> symbols)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            var referenced = node switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IFieldReferenceOperation field => field.Field,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (referenced is not null && symbols.Contains(referenced, SymbolEqualityComparer.Default))
                return true;
        }
        return false;
    }

    /// <summary>The types (generic or not) whose Set/TrySet methods complete a task that someone awaits.</summary>
    private static readonly SymbolNameList TaskCompleters = SymbolNameList.Of(
        "System.Threading.Tasks.TaskCompletionSource",
        "System.Threading.Tasks.Sources.ManualResetValueTaskSourceCore",
        "System.Runtime.CompilerServices.AsyncTaskMethodBuilder",
        "System.Runtime.CompilerServices.AsyncValueTaskMethodBuilder",
        "System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder");

    /// <summary>
    /// Code where ending on cancellation is the intended outcome: <c>Main</c>, top-level statements,
    /// event handlers, and the outermost level (not inside a loop) of <c>BackgroundService.ExecuteAsync</c>.
    /// </summary>
    public static bool IsEntryPoint(IOperation operation, ISymbol containingSymbol, KnownTypes types)
    {
        if (containingSymbol is not IMethodSymbol method)
            return false;
        if (AsyncCode.IsTopLevelStatementsEntryPoint(method) || method.IsStatic && method.Name == "Main")
            return true;
        if (AsyncCode.EnclosingFunction(operation, containingSymbol) is { } function && Declarations.IsEventHandler(function, types))
            return true;
        return method is { Name: "ExecuteAsync", IsOverride: true }
            && method.OverriddenMethod?.ContainingType.Name == "BackgroundService"
            && !InsideLoop(operation);
    }

    /// <summary>
    /// A filter that lets only another token's cancellation in: it names a token or token source other
    /// than the function's own token parameters (<c>when (timeout.IsCancellationRequested)</c>), or says
    /// the caller's token was not cancelled (<c>when (!ct.IsCancellationRequested)</c>).
    /// </summary>
    public static bool FiltersOnAnotherToken(ICatchClauseOperation clause, IMethodSymbol? function, KnownTypes types)
    {
        if (clause.Filter is not { } filter)
            return false;
        var own = function?.Parameters.Where(p => CancellationTokens.IsCancellationToken(p.Type, types)).ToList() ?? new();
        foreach (var node in filter.DescendantsAndSelf())
        {
            switch (node)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" } }:
                    return true;
                case IParameterReferenceOperation parameter when IsTokenOrSource(parameter.Type, types) && !own.Contains(parameter.Parameter, SymbolEqualityComparer.Default):
                case ILocalReferenceOperation local when IsTokenOrSource(local.Type, types):
                case IFieldReferenceOperation field when IsTokenOrSource(field.Type, types):
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The function requested this cancellation itself: it has no token parameter (no caller's request
    /// can come in that way), and it cancels a token source it created with <c>new</c> (not linked to
    /// an outside token) or one its object owns (<c>_stopping.Cancel(); try { await _loop; } catch ...</c>,
    /// the shutdown of a worker). Catching the resulting exception is then the expected outcome.
    /// </summary>
    public static bool CancelsItsOwnTokenSource(IOperation operation, IMethodSymbol? function, KnownTypes types)
    {
        if (function is null || function.Parameters.Any(p => CancellationTokens.IsCancellationToken(p.Type, types)))
            return false;
        var root = operation;
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                break;
            root = ancestor;
        }
        foreach (var node in root.Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" or "CancelAfter", Instance: { } source }
                && SymbolEqualityComparer.Default.Equals(source.Type, types.CancellationTokenSource)
                && IsOwnTokenSource(source))
                return true;
        }
        return false;
    }

    private static bool IsOwnTokenSource(IOperation source) => source switch
    {
        ILocalReferenceOperation local => CreatedWithNew(local.Local),
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } => true,
        _ => false,
    };

    private static bool CreatedWithNew(ILocalSymbol local)
        => local.DeclaringSyntaxReferences.Length == 1
            && local.DeclaringSyntaxReferences[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax
            {
                Initializer.Value: Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax,
            };

    private static ILoopOperation? InnermostLoop(IOperation operation)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case ILoopOperation loop:
                    return loop;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
            }
        }
        return null;
    }

    /// <summary>Inside a loop of the same function.</summary>
    public static bool InsideLoop(IOperation operation)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case ILoopOperation:
                    return true;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
            }
        }
        return false;
    }

    private static bool IsTokenOrSource(ITypeSymbol? type, KnownTypes types)
        => CancellationTokens.IsCancellationToken(type, types) || SymbolEqualityComparer.Default.Equals(type, types.CancellationTokenSource);
}
