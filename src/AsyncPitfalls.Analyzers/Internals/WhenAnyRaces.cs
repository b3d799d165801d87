using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>What a race of tasks (<c>Task.WhenAny</c>, or a <c>Task.WaitAny</c> about to become one) leaves behind.</summary>
internal enum WhenAnyRace
{
    /// <summary>The losers are cancelled or awaited: a loop that takes every task in turn, a cancelled token source, the tasks awaited elsewhere.</summary>
    LeavesNothing,

    /// <summary><c>(work, Task.Delay(t))</c>: a timeout that leaves the work running when the delay wins.</summary>
    Timeout,

    /// <summary>First one wins, and the others are neither cancelled nor awaited.</summary>
    FirstWins,

    /// <summary>
    /// <c>(read, Task.Delay(t))</c> as an idle timeout in a read loop: when the delay wins, the iteration gives up the
    /// read it started (breaks, returns, throws, or reads again) without cancelling it.
    /// </summary>
    AbandonedRead,
}

/// <summary>
/// AP5005's question, asked by AP5005 of <c>Task.WhenAny</c> and by AP1001's fix of the <c>Task.WaitAny</c>
/// it would turn into one (so the fix does not make code that AP5005 then reports).
/// </summary>
internal static class WhenAnyRaces
{
    /// <summary>
    /// What a race between the tasks passed to <paramref name="race"/> leaves running, where it stands;
    /// <paramref name="timedWork"/> is the work of the timeout shape.
    /// </summary>
    public static WhenAnyRace Classify(IInvocationOperation race, KnownTypes types, out IOperation? timedWork)
        => Classify(race, types, out timedWork, out _);

    /// <inheritdoc cref="Classify(IInvocationOperation, KnownTypes, out IOperation?)"/>
    /// <param name="abandonedRead">For <see cref="WhenAnyRace.AbandonedRead"/>: the read given up, and what the loop does next.</param>
    public static WhenAnyRace Classify(IInvocationOperation race, KnownTypes types, out IOperation? timedWork, out AbandonedRead? abandonedRead)
    {
        timedWork = null;
        abandonedRead = null;
        var tasks = Tasks(race, types);
        var root = OperationTree.Root(race);
        if (CancelsATokenSource(root, types))
            return WhenAnyRace.LeavesNothing;
        // Completion-order processing (while (tasks.Count > 0) { ... WhenAny(tasks) ... }) awaits every task eventually;
        // in a loop only an idle timeout that gives up a fresh read is reported.
        if (InnermostLoop(race) is { } loop)
        {
            abandonedRead = IdleReads.Abandons(race, loop, tasks, types);
            if (abandonedRead is not null)
            {
                timedWork = abandonedRead.Call;
                return WhenAnyRace.AbandonedRead;
            }
            return WhenAnyRace.LeavesNothing;
        }

        var delays = 0;
        IOperation? work = null;
        foreach (var task in tasks)
        {
            if (IsDelay(task, types))
                delays++;
            else
                work = task;
        }

        if (delays == 1 && tasks.Count == 2 && work is not null)
        {
            timedWork = work;
            return WhenAnyRace.Timeout;
        }
        return delays == 0 && !AwaitedElsewhere(tasks, race, root) ? WhenAnyRace.FirstWins : WhenAnyRace.LeavesNothing;
    }

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

    internal static bool IsDelay(IOperation? operation, KnownTypes types)
        => OperationTree.Unwrap(operation) is IInvocationOperation { TargetMethod.Name: "Delay" } delay
            && SymbolEqualityComparer.Default.Equals(delay.TargetMethod.ContainingType, types.Task);

    /// <summary>
    /// The tasks passed, as written. <c>WhenAny(a, b)</c> binds to a params array, or on .NET 9+ to a
    /// params span (a collection expression in the operation tree): take the awaitable operands
    /// inside whatever the argument is, and a collection variable as itself.
    /// </summary>
    private static List<IOperation> Tasks(IInvocationOperation invocation, KnownTypes types)
    {
        var tasks = new List<IOperation>();
        foreach (var argument in invocation.Arguments)
            Collect(argument.Value, types, tasks);
        return tasks;
    }

    private static void Collect(IOperation value, KnownTypes types, List<IOperation> tasks)
    {
        var unwrapped = OperationTree.Unwrap(value) ?? value;
        if (types.IsAwaitable(unwrapped.Type) || OperationNames.TryGetVariable(unwrapped) is not null)
        {
            tasks.Add(unwrapped);
            return;
        }
        foreach (var child in unwrapped.ChildOperations)
            Collect(child, types, tasks);
    }

    /// <summary>Anything in the member that cancels a token source: the losers' work is stopped on purpose.</summary>
    private static bool CancelsATokenSource(IOperation root, KnownTypes types)
    {
        foreach (var node in root.Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" or "CancelAfter" } cancel
                && SymbolEqualityComparer.Default.Equals(cancel.TargetMethod.ContainingType, types.CancellationTokenSource))
                return true;
        }
        return false;
    }

    /// <summary>A task variable passed to WhenAny is awaited, waited on or handed to WhenAll elsewhere in the member.</summary>
    private static bool AwaitedElsewhere(List<IOperation> tasks, IOperation whenAny, IOperation root)
    {
        var variables = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var task in tasks)
        {
            if (OperationNames.TryGetVariable(task) is { } variable)
                variables.Add(variable);
        }
        if (variables.Count == 0)
            return false;

        foreach (var node in root.Descendants())
        {
            if (node == whenAny || OperationNames.TryGetVariable(node) is not { } variable || !variables.Contains(variable))
                continue;
            foreach (var parent in node.Ancestors())
            {
                if (parent == whenAny)
                    break;
                if (parent is IAwaitOperation || parent is IInvocationOperation { TargetMethod.Name: "WhenAll" or "WaitAll" or "Wait" })
                    return true;
                if (parent.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.StatementSyntax)
                    break;
            }
        }
        return false;
    }
}
