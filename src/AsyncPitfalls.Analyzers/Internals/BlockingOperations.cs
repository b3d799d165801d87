using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>The blocking operations of AP1001-AP1003, recognised in one place for those rules and for AP1004.</summary>
internal static class BlockingOperations
{
    /// <summary><c>Thread.Sleep(x)</c> that really waits (<c>Thread.Sleep(0)</c> only yields the time slice).</summary>
    public static bool IsThreadSleep(IInvocationOperation invocation, KnownTypes types)
        => invocation.TargetMethod.Name == "Sleep"
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, types.Thread)
            && !(invocation.Arguments.Length == 1 && invocation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: 0 });

    /// <summary>
    /// How a message names <paramref name="operation"/> if it may block, whatever code it is in: a
    /// synchronous wait on a task, a sleep, or a call with an awaitable counterpart whose streams do not
    /// only hold memory; null otherwise. A wait blocks only if its task is not known to be complete there:
    /// <paramref name="waitedTask"/> is then the task for <see cref="TaskCompletionFlow.IsKnownComplete(IOperation, IOperation, System.Func{Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph}, KnownTypes)"/>,
    /// which the caller asks only where the answer matters (it builds the function's control-flow graph).
    /// </summary>
    public static string? DescribeIfMayBlock(IOperation operation, KnownTypes types, SymbolNameList exclusions, ISymbol containingMember, out IOperation? waitedTask)
    {
        waitedTask = null;
        if (TaskWaits.TryGet(operation, types, out var wait))
        {
            waitedTask = wait.Task;
            return wait.Describe();
        }

        if (operation is not IInvocationOperation invocation)
            return null;
        if (IsThreadSleep(invocation, types))
            return "'Thread.Sleep'";
        return SyncApiCalls.FindCounterpart(invocation, types, exclusions, containingMember) is not null
            && !SyncApiCalls.OnlyTouchesMemory(invocation, types, exclusions)
            ? $"'{SymbolNames.Qualified(invocation.TargetMethod)}'"
            : null;
    }
}
