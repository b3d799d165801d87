using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

internal enum TaskWaitKind
{
    /// <summary><c>t.Result</c></summary>
    Result,
    /// <summary><c>t.Wait()</c>, with or without a timeout or token</summary>
    Wait,
    /// <summary><c>t.GetAwaiter().GetResult()</c>, also through ConfigureAwait</summary>
    GetResult,
    /// <summary><c>Task.WaitAll(...)</c></summary>
    WaitAll,
    /// <summary><c>Task.WaitAny(...)</c></summary>
    WaitAny,
}

/// <summary>A synchronous wait on a task (AP1001's shapes).</summary>
internal readonly struct TaskWait
{
    public TaskWait(TaskWaitKind kind, IOperation operation, IOperation? task)
    {
        Kind = kind;
        Operation = operation;
        Task = task;
    }

    public TaskWaitKind Kind { get; }

    /// <summary>The whole blocking expression, where the diagnostic goes.</summary>
    public IOperation Operation { get; }

    /// <summary>The task waited on; null for WaitAll/WaitAny.</summary>
    public IOperation? Task { get; }

    /// <summary>How a message names the wait: "'.Result' on 'download'", "'Task.WaitAll'".</summary>
    public string Describe()
    {
        var member = Kind switch
        {
            TaskWaitKind.Result => "'.Result'",
            TaskWaitKind.Wait => "'.Wait()'",
            TaskWaitKind.GetResult => "'.GetAwaiter().GetResult()'",
            TaskWaitKind.WaitAll => "'Task.WaitAll'",
            _ => "'Task.WaitAny'",
        };
        return Task is not null && OperationNames.TryGetName(Task) is { } name ? $"{member} on '{name}'" : member;
    }

    /// <summary>The awaiting form the message recommends.</summary>
    public string Replacement => Kind switch
    {
        TaskWaitKind.WaitAll => "await Task.WhenAll",
        TaskWaitKind.WaitAny => "await Task.WhenAny",
        _ => "await",
    };
}

/// <summary>Recognises synchronous waits on tasks and ValueTasks.</summary>
internal static class TaskWaits
{
    /// <summary>
    /// Whether <paramref name="operation"/> (a property reference or invocation) is a synchronous
    /// wait: <c>.Result</c> on Task&lt;T&gt;/ValueTask&lt;T&gt;, <c>Task.Wait</c>, <c>GetResult()</c> on
    /// a task's awaiter obtained in the same expression, <c>Task.WaitAll</c>, <c>Task.WaitAny</c>.
    /// </summary>
    public static bool TryGet(IOperation operation, KnownTypes types, out TaskWait wait)
    {
        wait = default;
        switch (operation)
        {
            case IPropertyReferenceOperation { Property.Name: "Result", Instance: { } instance } property
                when IsGenericTask(property.Property.ContainingType, types):
                wait = new TaskWait(TaskWaitKind.Result, operation, instance);
                return true;

            case IInvocationOperation invocation:
                return TryGetInvocation(invocation, types, out wait);

            default:
                return false;
        }
    }

    private static bool TryGetInvocation(IInvocationOperation invocation, KnownTypes types, out TaskWait wait)
    {
        wait = default;
        var method = invocation.TargetMethod;
        switch (method.Name)
        {
            // Wait(0) only asks whether the task is done.
            case "Wait" when !method.IsStatic && invocation.Instance is not null && types.IsTaskOrValueTask(method.ContainingType) && !SyncApiCalls.HasZeroTimeout(invocation):
                wait = new TaskWait(TaskWaitKind.Wait, invocation, invocation.Instance);
                return true;

            case "WaitAll" or "WaitAny" when method.IsStatic && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task):
                wait = new TaskWait(method.Name == "WaitAll" ? TaskWaitKind.WaitAll : TaskWaitKind.WaitAny, invocation, null);
                return true;

            case WellKnownMemberNames.GetResult when invocation.Arguments.IsEmpty
                && types.AwaiterTypes.Contains(method.ContainingType.OriginalDefinition)
                && OperationTree.Unwrap(invocation.Instance) is IInvocationOperation { TargetMethod.Name: WellKnownMemberNames.GetAwaiter } getAwaiter
                && getAwaiter.Instance is { } awaitable:
                // Through ConfigureAwait(...) the task is one step further in.
                var task = OperationTree.Unwrap(awaitable) is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured } ? configured : awaitable;
                wait = new TaskWait(TaskWaitKind.GetResult, invocation, task);
                return true;

            default:
                return false;
        }
    }

    private static bool IsGenericTask(INamedTypeSymbol? type, KnownTypes types)
        => type is not null && (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, types.TaskOfT)
            || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, types.ValueTaskOfT));
}
