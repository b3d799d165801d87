using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// AP5005's read-loop shape: <c>Task.WhenAny(read, Task.Delay(idle))</c> as an idle timeout, where each iteration
/// starts a fresh read and, when the delay wins, gives it up without cancelling it:
/// <code>
/// while (true)
/// {
///     var read = stream.ReadAsync(buffer, 0, buffer.Length);
///     if (await Task.WhenAny(read, Task.Delay(idle)) != read)
///         break;                       // or continue, return, throw: 'read' is still pending
///     ...
/// }
/// </code>
/// The abandoned read goes on and can still take the next bytes, line or message, which nobody receives (and a
/// loop that reads again races two reads). Not this shape: a read kept across iterations (<c>read ??= ...</c>, a
/// local declared outside the loop), a branch that still uses the read, a loop that leaves and disposes or closes
/// what it reads from, and any member that cancels a token source (asked before, by <see cref="WhenAnyRaces"/>).
/// </summary>
internal sealed class AbandonedRead
{
    public AbandonedRead(IInvocationOperation call, ILocalSymbol? local, bool loopGoesOn)
    {
        Call = call;
        Local = local;
        LoopGoesOn = loopGoesOn;
    }

    /// <summary>The read call (<c>stream.ReadAsync(...)</c>).</summary>
    public IInvocationOperation Call { get; }

    /// <summary>The local holding the read's task, when the race names one.</summary>
    public ILocalSymbol? Local { get; }

    /// <summary>The iteration ends by reading again (<c>continue</c>, or falling through) rather than by leaving the loop.</summary>
    public bool LoopGoesOn { get; }
}

internal static class IdleReads
{
    /// <summary>The read the race gives up when the delay wins, or null when it is not this shape.</summary>
    public static AbandonedRead? Abandons(IInvocationOperation race, ILoopOperation loop, System.Collections.Generic.List<IOperation> tasks, KnownTypes types)
    {
        if (tasks.Count != 2 || loop.Body is not { } body)
            return null;

        // Which operand is the delay (a call, or a local holding one) and which the read.
        IOperation? readOperand = null;
        ILocalSymbol? delayLocal = null;
        var delays = 0;
        foreach (var task in tasks)
        {
            if (WhenAnyRaces.IsDelay(task, types))
            {
                delays++;
            }
            else if (OperationTree.Unwrap(task) is ILocalReferenceOperation local && IsDelayLocal(local.Local, body, types))
            {
                delays++;
                delayLocal = local.Local;
            }
            else
            {
                readOperand = task;
            }
        }
        if (delays != 1 || readOperand is null)
            return null;

        // The read: a read call written in the race, or a local that the loop's body declares with one (fresh each iteration).
        ILocalSymbol? readLocal = null;
        IInvocationOperation? readCall;
        if (OperationTree.Unwrap(readOperand) is ILocalReferenceOperation readReference)
        {
            readLocal = readReference.Local;
            readCall = FreshReadOf(readLocal, body, types);
        }
        else
        {
            readCall = ReadCall(readOperand);
        }
        if (readCall is null)
            return null;

        // The check of who won, and the branch the delay's win takes.
        if (RaceValue(race) is not { } raceValue
            || FindWinnerCheck(raceValue, body, readLocal, delayLocal) is not { } check
            || check.If.Syntax is not IfStatementSyntax ifStatement)
            return null;
        var delayBranch = check.DelayWinsWhenTrue ? check.If.WhenTrue : check.If.WhenFalse;
        var jump = delayBranch is null ? null : EndingJump(delayBranch);
        if (readLocal is not null && !OnlyRaced(readLocal, body, race, ifStatement, delayBranch, delayBranchLeaves: jump is not null))
            return null;

        var loopGoesOn = jump is null || jump is IBranchOperation { BranchKind: BranchKind.Continue };
        // Leaving the loop and closing what it reads from ends the read too (the connection is over).
        if (!loopGoesOn && ClosesTheSource(readCall, OperationTree.Root(race), delayBranch, loop))
            return null;

        return new AbandonedRead(readCall, readLocal, loopGoesOn);
    }

    /// <summary>ReadAsync, ReadLineAsync, ReceiveAsync, ReceiveFromAsync, WaitToReadAsync...: a call that waits for the next input.</summary>
    private static bool IsReadName(string name)
        => name.EndsWith("Async", System.StringComparison.Ordinal)
            && (name.StartsWith("Read", System.StringComparison.Ordinal) || name.StartsWith("Receive", System.StringComparison.Ordinal) || name == "WaitToReadAsync");

    /// <summary>The read call behind an operand: <c>stream.ReadAsync(...)</c>, or <c>reader.ReadAsync().AsTask()</c>.</summary>
    private static IInvocationOperation? ReadCall(IOperation? operand)
    {
        var call = OperationTree.Unwrap(operand) as IInvocationOperation;
        if (call is { TargetMethod.Name: "AsTask", Instance: { } valueTask })
            call = OperationTree.Unwrap(valueTask) as IInvocationOperation;
        return call is not null && IsReadName(call.TargetMethod.Name) ? call : null;
    }

    /// <summary>
    /// The read call <paramref name="local"/> is declared with, when the loop's body declares it and nothing assigns it
    /// again: then each iteration starts its own read, and one left behind is never picked up again.
    /// </summary>
    private static IInvocationOperation? FreshReadOf(ILocalSymbol local, IOperation body, KnownTypes types)
    {
        IInvocationOperation? read = null;
        foreach (var node in body.Descendants())
        {
            switch (node)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    read = ReadCall(declarator.GetVariableInitializer()?.Value);
                    if (read is null)
                        return null;
                    break;
                case IAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    return null;
            }
        }
        return read is not null && types.IsAwaitable(local.Type) ? read : null;
    }

    private static bool IsDelayLocal(ILocalSymbol local, IOperation body, KnownTypes types)
    {
        foreach (var node in OperationTree.Root(body).Descendants())
        {
            if (node is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                return WhenAnyRaces.IsDelay(declarator.GetVariableInitializer()?.Value, types);
        }
        return false;
    }

    /// <summary>The awaited race: <c>await Task.WhenAny(...)</c>, with or without ConfigureAwait.</summary>
    private static IAwaitOperation? RaceValue(IInvocationOperation race)
    {
        var current = race.Parent;
        while (current is IConversionOperation { IsImplicit: true } or IParenthesizedOperation or IArgumentOperation)
            current = current.Parent;
        if (current is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && OperationTree.Unwrap(configure.Instance) == race)
            current = configure.Parent;
        return current as IAwaitOperation;
    }

    private sealed class WinnerCheck
    {
        public WinnerCheck(IConditionalOperation @if, bool delayWinsWhenTrue)
        {
            If = @if;
            DelayWinsWhenTrue = delayWinsWhenTrue;
        }

        public IConditionalOperation If { get; }

        public bool DelayWinsWhenTrue { get; }
    }

    /// <summary>
    /// The <c>if</c> that compares the winner with the read or the delay: on the awaited race itself
    /// (<c>if (await Task.WhenAny(read, delay) != read)</c>) or on a local holding it (<c>if (winner == delay)</c>).
    /// </summary>
    private static WinnerCheck? FindWinnerCheck(IAwaitOperation raceValue, IOperation body, ILocalSymbol? readLocal, ILocalSymbol? delayLocal)
    {
        var parent = raceValue.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
            parent = parent.Parent;
        if (parent is IBinaryOperation comparison)
            return CheckOf(comparison, raceValue, null, readLocal, delayLocal);

        if (parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation winner })
            return null;
        foreach (var node in body.Descendants())
        {
            if (node is IBinaryOperation binary && CheckOf(binary, null, winner.Symbol, readLocal, delayLocal) is { } check)
                return check;
        }
        return null;
    }

    private static WinnerCheck? CheckOf(IBinaryOperation comparison, IOperation? raceValue, ILocalSymbol? winner, ILocalSymbol? readLocal, ILocalSymbol? delayLocal)
    {
        if (comparison.OperatorKind is not (BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
            || comparison.Parent is not IConditionalOperation @if || @if.Condition != comparison)
            return null;
        var left = OperationTree.Unwrap(comparison.LeftOperand);
        var right = OperationTree.Unwrap(comparison.RightOperand);
        IOperation? other = IsWinner(left, raceValue, winner) ? right : IsWinner(right, raceValue, winner) ? left : null;
        var otherLocal = (other as ILocalReferenceOperation)?.Local;
        if (otherLocal is null)
            return null;
        var equals = comparison.OperatorKind == BinaryOperatorKind.Equals;
        if (readLocal is not null && SymbolEqualityComparer.Default.Equals(otherLocal, readLocal))
            return new WinnerCheck(@if, delayWinsWhenTrue: !equals);
        if (delayLocal is not null && SymbolEqualityComparer.Default.Equals(otherLocal, delayLocal))
            return new WinnerCheck(@if, delayWinsWhenTrue: equals);
        return null;
    }

    private static bool IsWinner(IOperation? operand, IOperation? raceValue, ILocalSymbol? winner)
        => raceValue is not null ? operand == raceValue
            : operand is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, winner);

    /// <summary>
    /// The read is only raced: nothing uses it before the check (stores, passes or awaits it) or in the delay's branch,
    /// nor after the check when the delay's branch falls through to it (where an <c>await read</c> would pick it up).
    /// </summary>
    private static bool OnlyRaced(ILocalSymbol readLocal, IOperation body, IInvocationOperation race, IfStatementSyntax check, IOperation? delayBranch, bool delayBranchLeaves)
    {
        var condition = check.Condition.Span;
        var winsBranch = ReferenceEquals(delayBranch?.Syntax, check.Statement) ? check.Else?.Statement.Span : check.Statement.Span;
        foreach (var node in body.Descendants())
        {
            if (node is not ILocalReferenceOperation { IsDeclaration: false } reference || !SymbolEqualityComparer.Default.Equals(reference.Local, readLocal))
                continue;
            var span = reference.Syntax.Span;
            if (condition.Contains(span) || race.Syntax.Span.Contains(span) || IsCompared(reference)
                || (winsBranch is { } wins && wins.Contains(span))
                || (delayBranchLeaves && span.Start >= check.Span.End))
                continue;
            return false;
        }
        return true;
    }

    /// <summary>The read compared with a winner (<c>winner == read</c>).</summary>
    private static bool IsCompared(ILocalReferenceOperation reference)
    {
        var parent = reference.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
            parent = parent.Parent;
        return parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals };
    }

    /// <summary>The jump a branch ends with (break, continue, return, throw), or null when it falls through.</summary>
    private static IOperation? EndingJump(IOperation branch)
    {
        var last = branch;
        while (last is IBlockOperation block)
        {
            if (block.Operations.Length == 0)
                return null;
            last = block.Operations[block.Operations.Length - 1];
        }
        return last switch
        {
            IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } => last,
            IReturnOperation => last,
            IThrowOperation => last,
            IExpressionStatementOperation { Operation: IThrowOperation } => last,
            _ => null,
        };
    }

    /// <summary>
    /// The loop is left and what it reads from is closed: the delay's branch disposes or closes something, the
    /// statement after the loop does, or the reader (or what it came from) is a <c>using</c> local, disposed
    /// or closed anywhere in the member.
    /// </summary>
    private static bool ClosesTheSource(IInvocationOperation readCall, IOperation root, IOperation? delayBranch, ILoopOperation loop)
    {
        if (delayBranch is not null && ContainsClose(delayBranch))
            return true;
        if (loop.Parent is IBlockOperation block)
        {
            var index = block.Operations.IndexOf(loop);
            if (index >= 0 && index + 1 < block.Operations.Length && ContainsClose(block.Operations[index + 1]))
                return true;
        }

        var sources = new System.Collections.Generic.HashSet<ISymbol>(SymbolEqualityComparer.Default);
        for (var receiver = OperationTree.Unwrap(readCall.Instance); receiver is not null;)
        {
            if (OperationNames.TryGetVariable(receiver) is { } variable)
                sources.Add(variable);
            receiver = receiver switch
            {
                IInvocationOperation invocation => OperationTree.Unwrap(invocation.Instance),
                IPropertyReferenceOperation property => OperationTree.Unwrap(property.Instance),
                IFieldReferenceOperation field => OperationTree.Unwrap(field.Instance),
                _ => null,
            };
        }
        if (sources.Count == 0)
            return false;
        foreach (var node in root.Descendants())
        {
            switch (node)
            {
                case IUsingOperation @using when @using.Resources.Descendants().MentionsAny(sources):
                case IUsingDeclarationOperation declaration when declaration.DeclarationGroup.Descendants().MentionsAny(sources):
                    return true;
                case IInvocationOperation invocation when IsClose(invocation.TargetMethod.Name)
                    && OperationNames.TryGetVariable(invocation.Instance) is { } closed && sources.Contains(closed):
                    return true;
            }
        }
        return false;
    }

    private static bool MentionsAny(this System.Collections.Generic.IEnumerable<IOperation> nodes, System.Collections.Generic.HashSet<ISymbol> sources)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case IVariableDeclaratorOperation declarator when sources.Contains(declarator.Symbol):
                    return true;
                case ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation when OperationNames.TryGetVariable(node) is { } variable && sources.Contains(variable):
                    return true;
            }
        }
        return false;
    }

    private static bool ContainsClose(IOperation operation)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is IInvocationOperation invocation && IsClose(invocation.TargetMethod.Name))
                return true;
        }
        return false;
    }

    private static bool IsClose(string name)
        => name is "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" or "Abort" or "Shutdown" or "CloseOutputAsync";
}
