using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>An acquisition in force at some point of a method, and the ones taken before it (immutable list).</summary>
internal sealed class HeldLock
{
    public HeldLock(LockAcquisition acquisition, HeldLock? outer)
    {
        Acquisition = acquisition;
        Outer = outer;
    }

    public LockAcquisition Acquisition { get; }
    public HeldLock? Outer { get; }

    public static IEnumerable<LockAcquisition> Enumerate(HeldLock? held)
    {
        for (var current = held; current is not null; current = current.Outer)
            yield return current.Acquisition;
    }

    /// <summary>The list without the innermost acquisition of <paramref name="lockExpression"/>.</summary>
    public static HeldLock? Without(HeldLock? held, IOperation lockExpression)
    {
        if (held is null)
            return null;
        if (LockPrimitives.SameLock(held.Acquisition.LockExpression, lockExpression))
            return held.Outer;
        var outer = Without(held.Outer, lockExpression);
        return ReferenceEquals(outer, held.Outer) ? held : new HeldLock(held.Acquisition, outer);
    }
}

/// <summary>
/// Walks one method body in execution order and knows, at every operation, which locks are held:
/// the body of <c>lock</c>; a <c>using</c> of <c>EnterScope()</c> or an awaited async lock; the
/// branch of an <c>if</c> whose condition is a successful try-acquire; and, in a statement list,
/// the statements after an acquisition up to its release (a statement, or the <c>finally</c> of a
/// following <c>try</c>). Lambdas passed to <c>List.ForEach</c>, <c>Array.ForEach</c> or
/// <c>Parallel</c> run under the caller's locks; other lambdas run later, with none held. The
/// walk is one pass over the operation tree; the rules hook the two callbacks.
/// </summary>
internal abstract class HeldLockWalker
{
    protected HeldLockWalker(LockPrimitives primitives) => Primitives = primitives;

    protected LockPrimitives Primitives { get; }

    /// <summary>The method or local function being executed; null inside a lambda that runs later.</summary>
    protected IMethodSymbol? CurrentFunction { get; private set; }

    /// <summary>The member the walked body belongs to (the method, also inside its lambdas).</summary>
    protected ISymbol? CurrentMember { get; private set; }

    public void Walk(IOperation body, ISymbol member)
    {
        CurrentMember = member;
        CurrentFunction = member as IMethodSymbol;
        try
        {
            Visit(body, null);
        }
        catch (System.InsufficientExecutionStackException)
        {
            // A pathologically deep expression (thousands of nested operators): the rest of this body
            // goes unanalysed rather than the compiler process dying of a stack overflow.
        }
    }


    /// <summary>
    /// The locks held where <paramref name="operation"/> runs (null: none): one walk of its body, for
    /// rules that find a rare shape first and only then ask about the locks around it.
    /// </summary>
    public static HeldLock? HeldAt(LockPrimitives primitives, IOperation operation, ISymbol member)
    {
        var finder = new HeldLockFinder(primitives, operation);
        finder.Walk(OperationTree.Root(operation), member);
        return finder.Held;
    }

    /// <summary>An acquisition, with the locks already held when it runs.</summary>
    protected virtual void OnAcquire(LockAcquisition acquisition, HeldLock? held)
    {
    }

    /// <summary>Every operation the walk reaches, with the locks held there.</summary>
    protected virtual void OnOperation(IOperation operation, HeldLock? held)
    {
    }

    /// <summary>A call that is not an acquisition (an invocation, or the constructor a <c>new</c> runs), with the locks held there.</summary>
    protected virtual void OnCall(IOperation call, IMethodSymbol callee, HeldLock? held)
    {
    }

    private void Visit(IOperation? operation, HeldLock? held)
    {
        if (operation is null)
            return;
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        OnOperation(operation, held);
        // On Kind, not on the interfaces: this runs for every operation of every body, and one read
        // of Kind replaces a chain of interface type tests.
        switch (operation.Kind)
        {
            case OperationKind.Lock:
                var lockOperation = (ILockOperation)operation;
                Visit(lockOperation.LockedValue, held);
                var acquisition = new LockAcquisition(LockKind.Monitor, lockOperation.LockedValue, lockOperation, isConditional: false);
                OnAcquire(acquisition, held);
                Visit(lockOperation.Body, new HeldLock(acquisition, held));
                return;

            case OperationKind.Block:
                VisitSequence(((IBlockOperation)operation).Operations, held);
                return;

            case OperationKind.Using when ResourceAcquisition(((IUsingOperation)operation).Resources) is { } scope:
                var @using = (IUsingOperation)operation;
                Visit(@using.Resources, held);
                Visit(@using.Body, new HeldLock(scope, held));
                return;

            case OperationKind.Conditional when Primitives.TryGetAcquisition(((IConditionalOperation)operation).Condition) is { IsConditional: true } attempt:
                var conditional = (IConditionalOperation)operation;
                Visit(conditional.Condition, held);
                Visit(conditional.WhenTrue, new HeldLock(attempt, held));
                Visit(conditional.WhenFalse, held);
                return;

            case OperationKind.AnonymousFunction:
                var function = (IAnonymousFunctionOperation)operation;
                VisitDeferred(function.Symbol, function.Body, isLocalFunction: false);
                return;

            case OperationKind.LocalFunction:
                var localFunction = (ILocalFunctionOperation)operation;
                VisitDeferred(localFunction.Symbol, localFunction.Body ?? localFunction.IgnoredBody, isLocalFunction: true);
                return;

            case OperationKind.Invocation:
                var invocation = (IInvocationOperation)operation;
                if (Primitives.TryGetAcquisition(invocation) is { } call)
                    OnAcquire(call, held);
                else
                    OnCall(invocation, invocation.TargetMethod, held);
                var runsInline = RunsDelegatesInline(invocation.TargetMethod);
                foreach (var child in invocation.ChildOperations)
                {
                    if (runsInline && child is IArgumentOperation argument && InlineLambda(argument.Value) is { } lambda)
                        Visit(lambda.Body, held);
                    else
                        Visit(child, held);
                }
                return;

            case OperationKind.ObjectCreation:
                if (((IObjectCreationOperation)operation).Constructor is { } constructor)
                    OnCall(operation, constructor, held);
                VisitChildren(operation, held);
                return;

            default:
                VisitChildren(operation, held);
                return;
        }
    }

    private void VisitChildren(IOperation operation, HeldLock? held)
    {
        foreach (var child in operation.ChildOperations)
            Visit(child, held);
    }

    private void VisitSequence(ImmutableArray<IOperation> statements, HeldLock? held)
    {
        var current = held;
        foreach (var statement in statements)
        {
            Visit(statement, current);
            if (StatementAcquisition(statement) is { } acquisition)
                current = new HeldLock(acquisition, current);
            else if (StatementRelease(statement) is { } released)
                current = HeldLock.Without(current, released);
        }
    }

    private void VisitDeferred(IMethodSymbol function, IOperation? body, bool isLocalFunction)
    {
        var saved = CurrentFunction;
        CurrentFunction = isLocalFunction ? function : null;
        Visit(body, null);
        CurrentFunction = saved;
    }

    /// <summary>An acquisition statement whose lock stays held for the statements after it.</summary>
    private LockAcquisition? StatementAcquisition(IOperation statement) => statement.Kind switch
    {
        OperationKind.ExpressionStatement => Primitives.TryGetAcquisition(((IExpressionStatementOperation)statement).Operation),
        OperationKind.UsingDeclaration => ResourceAcquisition(((IUsingDeclarationOperation)statement).DeclarationGroup),
        _ => null,
    };

    /// <summary>The lock a statement releases: a release call, or a <c>try</c> whose <c>finally</c> releases.</summary>
    private IOperation? StatementRelease(IOperation statement)
    {
        switch (statement)
        {
            case IExpressionStatementOperation expression:
                return Primitives.TryGetReleasedLock(expression.Operation);
            case ITryOperation { Finally: { } @finally }:
                foreach (var node in @finally.Descendants())
                {
                    if (node is IExpressionStatementOperation release && Primitives.TryGetReleasedLock(release.Operation) is { } released)
                        return released;
                }
                return null;
            default:
                return null;
        }
    }

    private LockAcquisition? ResourceAcquisition(IOperation? resources)
    {
        if (resources is IVariableDeclarationGroupOperation group)
        {
            foreach (var declaration in group.Declarations)
            {
                foreach (var declarator in declaration.Declarators)
                {
                    if (Primitives.TryGetAcquisition(declarator.Initializer?.Value) is { } acquisition)
                        return acquisition;
                }
            }
            return null;
        }
        return Primitives.TryGetAcquisition(resources);
    }

    private static IAnonymousFunctionOperation? InlineLambda(IOperation value)
        => OperationTree.Unwrap(value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } ? lambda : null;

    /// <summary>Methods that run their delegate arguments before they return, on the caller's behalf.</summary>
    private static bool RunsDelegatesInline(IMethodSymbol method)
        => method.Name switch
        {
            "ForEach" => method.ContainingType is { Name: "List" or "Array" or "Parallel", ContainingNamespace: { } ns } && IsSystemNamespace(ns),
            "For" or "Invoke" => method.ContainingType is { Name: "Parallel", ContainingNamespace: { } ns } && IsSystemNamespace(ns),
            _ => false,
        };

    private static bool IsSystemNamespace(INamespaceSymbol ns)
    {
        for (var current = ns; current is { IsGlobalNamespace: false }; current = current.ContainingNamespace)
        {
            if (current.ContainingNamespace is { IsGlobalNamespace: true })
                return current.Name == "System";
        }
        return false;
    }
}

/// <summary>Records the locks held at one operation of the walked body.</summary>
internal sealed class HeldLockFinder : HeldLockWalker
{
    private readonly IOperation _target;

    public HeldLockFinder(LockPrimitives primitives, IOperation target)
        : base(primitives)
        => _target = target;

    public HeldLock? Held { get; private set; }

    protected override void OnOperation(IOperation operation, HeldLock? held)
    {
        if (ReferenceEquals(operation, _target))
            Held = held;
    }
}
