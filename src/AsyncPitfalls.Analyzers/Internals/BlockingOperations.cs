using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
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
    /// How a message names <paramref name="operation"/> if it blocks, whatever code it is in: a
    /// synchronous wait on a task that is not known to be complete, a sleep, or a call with an
    /// awaitable counterpart whose streams do not only hold memory; null otherwise.
    /// </summary>
    /// <remarks>Takes the context itself, not a callback: a lambda capturing it would be allocated for every operation.</remarks>
    public static string? DescribeIfBlocking(IOperation operation, KnownTypes types, SymbolNameList exclusions, ISymbol containingMember, OperationAnalysisContext context)
    {
        if (TaskWaits.TryGet(operation, types, out var wait))
            return wait.Task is { } task && TaskCompletionFlow.IsKnownComplete(task, operation, context, types) ? null : wait.Describe();

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
