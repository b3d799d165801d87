using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Work whose failure nobody needs to observe, because it has none to report: a body that catches
/// everything itself (AP2004's careful async void, AP2001's forked loop that logs its own errors), and
/// a delegate that only completes a TaskCompletionSource whose task the caller awaits.
/// </summary>
internal static class FaultFreeWork
{
    /// <summary>
    /// <c>try { ... } catch (Exception e) { Log(e); }</c> as the whole body: one try with a catch-all that has no
    /// filter and does not throw, so no exception leaves the body. With <paramref name="allowGuards"/>, statements
    /// that cannot throw may stand before the try (<c>if (_stopped) return;</c>, a decompiler's <c>_ = 1;</c>), and
    /// the try may sit inside a <c>lock</c>.
    /// </summary>
    public static bool CatchesEverything(IBlockOperation? body, KnownTypes types, bool allowGuards = false)
    {
        ITryOperation? guard = null;
        foreach (var statement in body?.Operations ?? ImmutableArray<IOperation>.Empty)
        {
            if (statement.IsImplicit)
                continue; // The return the compiler ends a function's body with.
            if (guard is not null)
                return false;
            if (statement is ITryOperation @try)
                guard = @try;
            else if (allowGuards && statement is ILockOperation { Body: IBlockOperation lockBody } && CatchesEverything(lockBody, types))
                return IsLast(statement, body!);
            else if (!allowGuards || !CannotThrow(statement))
                return false;
        }
        return guard is not null
            && guard.Catches.Any(clause => clause.Filter is null && CancellationHandlers.IsCatchAll(clause, types) && !CancellationHandlers.Throws(clause, types));
    }

    /// <summary>
    /// <c>() =&gt; tcs.TrySetResult(value)</c>, <c>() =&gt; { a.TrySetException(e); b.TrySetCanceled(); }</c>: every
    /// statement of the body completes a TaskCompletionSource. The work exists only to move the completion off the
    /// calling thread; whoever waits for the outcome awaits the source's task.
    /// </summary>
    public static bool OnlyCompletesTaskSources(IBlockOperation? body)
    {
        var completes = false;
        foreach (var statement in body?.Operations ?? ImmutableArray<IOperation>.Empty)
        {
            var value = ValueOf(statement);
            if (value is null)
                continue;
            if (OperationTree.Unwrap(value) is not IInvocationOperation
                {
                    TargetMethod: { Name: "SetResult" or "TrySetResult" or "SetException" or "TrySetException" or "SetCanceled" or "TrySetCanceled" } method,
                }
                || !TaskCompletionSources.ContainsType(method.ContainingType.OriginalDefinition))
                return false;
            completes = true;
        }
        return completes;
    }

    /// <summary>
    /// What a statement of a lambda's body computes: the expression of an expression statement or a return (a lambda
    /// written as an expression comes back as a return), null for the implicit return that ends a body.
    /// </summary>
    public static IOperation? ValueOf(IOperation statement) => statement switch
    {
        IExpressionStatementOperation expression => expression.Operation,
        IReturnOperation { ReturnedValue: { } returned } => returned,
        IReturnOperation { IsImplicit: true } => null,
        _ => statement,
    };

    /// <summary>Generic or not: completing one hands the outcome to whoever awaits its task (a continuation's failure stays in that continuation).</summary>
    private static readonly SymbolNameList TaskCompletionSources = SymbolNameList.Of("System.Threading.Tasks.TaskCompletionSource");

    private static bool IsLast(IOperation statement, IBlockOperation body)
    {
        var operations = body.Operations;
        for (var i = operations.IndexOf(statement) + 1; i < operations.Length; i++)
        {
            if (!operations[i].IsImplicit)
                return false;
        }
        return true;
    }

    /// <summary>
    /// A guard before the try: <c>if (flag) return;</c> on fields, locals and constants, an assignment of a
    /// constant (<c>_ = 1;</c>), a local set to one (<c>bool delayed = false;</c>). Nothing in it calls a method or
    /// reads a property, so it cannot throw.
    /// </summary>
    private static bool CannotThrow(IOperation statement) => statement switch
    {
        IConditionalOperation { WhenFalse: null } condition => IsPlainValue(condition.Condition) && IsEarlyReturn(condition.WhenTrue),
        IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment } => IsPlainValue(assignment.Target) && IsPlainValue(assignment.Value),
        IVariableDeclarationGroupOperation group => group.Declarations.All(declaration => declaration.Initializer is null
            && declaration.Declarators.All(declarator => declarator.Initializer is null || IsPlainValue(declarator.Initializer.Value))),
        IEmptyOperation => true,
        _ => false,
    };

    /// <summary>
    /// A statement that calls nothing and goes nowhere: it assigns or declares plain values (<see cref="IsPlainValue"/>),
    /// counts (<c>_count++</c>) or does nothing. No exception comes out of it, and control goes on to the next statement.
    /// </summary>
    public static bool CannotThrowOrLeave(IOperation statement) => statement switch
    {
        IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment } => IsPlainValue(assignment.Target) && IsPlainValue(assignment.Value),
        IExpressionStatementOperation { Operation: IIncrementOrDecrementOperation { OperatorMethod: null } increment } => IsPlainValue(increment.Target),
        IVariableDeclarationGroupOperation group => group.Declarations.All(declaration => declaration.Initializer is null
            && declaration.Declarators.All(declarator => declarator.Initializer is null || IsPlainValue(declarator.Initializer.Value))),
        IEmptyOperation => true,
        _ => false,
    };

    private static bool IsEarlyReturn(IOperation operation) => operation switch
    {
        IReturnOperation { ReturnedValue: null } => true,
        IReturnOperation { ReturnedValue: { } value } => value.ConstantValue.HasValue,
        IBlockOperation { Operations.Length: 1 } block => IsEarlyReturn(block.Operations[0]),
        _ => false,
    };

    /// <summary>Literals, locals, parameters, fields and built-in operators over them: reading it calls nothing.</summary>
    public static bool IsPlainValue(IOperation operation)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            switch (node)
            {
                case ILiteralOperation or IDiscardOperation or ILocalReferenceOperation or IParameterReferenceOperation or IInstanceReferenceOperation:
                case IFieldReferenceOperation:
                case IUnaryOperation { OperatorMethod: null } or IBinaryOperation { OperatorMethod: null }:
                case IConversionOperation { IsImplicit: true, OperatorMethod: null }:
                case IParenthesizedOperation:
                    continue;
                default:
                    return false;
            }
        }
        return true;
    }
}
