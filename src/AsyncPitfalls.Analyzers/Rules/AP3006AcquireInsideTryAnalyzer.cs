using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3006: the acquisition sits inside the <c>try</c> whose <c>finally</c> releases it. When the
/// acquisition throws or is cancelled (<c>WaitAsync(ct)</c>), the finally releases what was never
/// taken: a semaphore gains a slot (two callers get in), a Monitor or Mutex release throws.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AcquireInsideTryAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Set when the statements up to the acquisition can move before the try without changing a catch or cleanup.</summary>
    internal const string MovableProperty = "AP3006.Movable";

    /// <summary>
    /// On a timed wait's diagnostic: how the fix records the wait's result and guards the release (see
    /// <see cref="TimedWaitFix"/>); absent when no rewrite keeps the behaviour.
    /// </summary>
    internal const string TimedWaitFixProperty = "AP3006.TimedWaitFix";

    /// <summary>On a timed wait's diagnostic: the local that holds (or is to hold) the wait's result.</summary>
    internal const string FlagProperty = "AP3006.Flag";

    /// <summary>How the fix of a timed wait whose result the finally ignores rewrites it.</summary>
    internal static class TimedWaitFix
    {
        /// <summary><c>await s.WaitAsync(t);</c> before the try: <c>var acquired = await s.WaitAsync(t);</c>, and the release guarded.</summary>
        public const string CaptureBefore = "CaptureBefore";
        /// <summary>The result is already in a local declared before the try: guard the release with it.</summary>
        public const string Guard = "Guard";
        /// <summary><c>await s.WaitAsync(t);</c> inside the try: <c>var acquired = false;</c> before it, <c>acquired = await ...</c> in it.</summary>
        public const string DeclareFlag = "DeclareFlag";
        /// <summary><c>var ok = await s.WaitAsync(t);</c> inside the try: its declaration moves before the try as <c>var ok = false;</c>.</summary>
        public const string HoistLocal = "HoistLocal";
    }

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.AcquireInsideTry,
        title: "Acquire the lock before the try that releases it",
        messageFormat: "{0} is acquired inside the try whose finally releases it: if the acquisition throws or is cancelled, the finally releases what was never taken; acquire it before the try",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A finally block runs whether or not the acquisition succeeded. When WaitAsync is cancelled or times out, "
            + "Release adds a slot the caller never took, so the semaphore lets two callers in from then on; Monitor.Exit and "
            + "ReleaseMutex throw instead. Acquire before the try, or record the acquisition in a flag and release only when it is set.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.AcquireInsideTry));

    /// <summary>A SemaphoreSlim wait with a timeout, whose false result the finally's release ignores.</summary>
    internal static readonly DiagnosticDescriptor TimedWaitRule = new(
        id: DiagnosticIds.AcquireInsideTry,
        title: Rule.Title,
        messageFormat: "{0} is released in the finally of {1} even when '{2}' timed out and returned false: the release adds a slot nobody took (SemaphoreFullException, or one caller too many from then on); release it only when the wait returned true",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Rule.Description,
        helpLinkUri: HelpLinks.For(DiagnosticIds.AcquireInsideTry));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, TimedWaitRule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.AcquireInsideTry);
            start.RegisterOperationAction(c => AnalyzeTry(c, primitives), OperationKind.Try);
            // A wait before the try is reported from the block that holds both, so that the diagnostic lies in what is analyzed.
            start.RegisterOperationAction(c => AnalyzeWaitsBeforeTries(c, primitives), OperationKind.Block);
        });
    }

    private static void AnalyzeTry(OperationAnalysisContext context, LockPrimitives primitives)
    {
        var @try = (ITryOperation)context.Operation;
        // Only an unconditional release counts: `if (taken) Release()` is the flag pattern, which is correct.
        if (@try.Finally is not { } @finally)
            return;
        if (ReportTimedWait(context, primitives, @try, @finally, before: false))
            return;
        var statements = @try.Body.Operations;
        for (var i = 0; i < statements.Length; i++)
        {
            if (primitives.TryGetStatementAcquisition(statements[i]) is not { } acquisition || RecordsInAFlag(acquisition)
                || i == 0 && CannotGiveUp(acquisition))
                continue;
            if (!@finally.Operations.Any(s => primitives.TryGetStatementRelease(s) is { } released && LockPrimitives.SameLock(released, acquisition.LockExpression)))
                continue;
            var movable = @try.Catches.IsEmpty && (i == 0 || @finally.Operations.Length == 1) && @try.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax;
            var properties = movable ? ImmutableDictionary<string, string?>.Empty.Add(MovableProperty, "true") : ImmutableDictionary<string, string?>.Empty;
            context.Report(Diagnostic.Create(Rule, acquisition.Operation.Syntax.GetLocation(), properties,
                acquisition.Describe(context.ContainingSymbol.ContainingType)));
            return;
        }
    }

    /// <summary>
    /// <c>WaitAsync(timeout)</c>, <c>Wait(timeout)</c>, <c>WaitAsync(timeout, token)</c> on a SemaphoreSlim return false
    /// when they time out, holding nothing; the try's finally releases the semaphore unconditionally all the same. The
    /// wait is in the try (any check of its result there still runs the finally), or before it with its result
    /// dropped, or kept in a local that nothing reads before the try (<c>if (!acquired) return;</c> before the try is
    /// the correct form, and so is <c>if (await s.WaitAsync(t)) { try ... }</c>). Reported at the wait.
    /// </summary>
    private static bool ReportTimedWait(OperationAnalysisContext context, LockPrimitives primitives, ITryOperation @try, IBlockOperation @finally, bool before)
    {
        foreach (var release in @finally.Operations)
        {
            if (primitives.TryGetStatementRelease(release) is not { } released
                || OperationTree.Unwrap(((IExpressionStatementOperation)release).Operation) is not IInvocationOperation { TargetMethod.Name: "Release" })
                continue;
            if ((before ? FindTimedWaitBefore(primitives, @try, @finally, released) : FindTimedWaitInside(primitives, @try, released)) is not { } found)
                continue;
            var (wait, fix, flag) = found;
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (fix is not null)
                properties = properties.Add(TimedWaitFixProperty, fix).Add(FlagProperty, flag);
            context.Report(Diagnostic.Create(TimedWaitRule, wait.Operation.Syntax.GetLocation(), new[] { release.Syntax.GetLocation() }, properties,
                wait.Describe(context.ContainingSymbol.ContainingType), SymbolNames.Quoted(context.ContainingSymbol), ((IInvocationOperation)wait.Operation).TargetMethod.Name));
            return true;
        }
        return false;
    }

    private static void AnalyzeWaitsBeforeTries(OperationAnalysisContext context, LockPrimitives primitives)
    {
        foreach (var statement in ((IBlockOperation)context.Operation).Operations)
        {
            if (statement is ITryOperation { Finally: { } @finally } @try)
                ReportTimedWait(context, primitives, @try, @finally, before: true);
        }
    }

    /// <summary>The timed wait in the try whose result the release of <paramref name="released"/> in the finally ignores, with the fix that guards it.</summary>
    private static (LockAcquisition Wait, string? Fix, string? Flag)? FindTimedWaitInside(LockPrimitives primitives, ITryOperation @try, IOperation released)
    {
        // In the try: the first acquisition of the semaphore decides.
        foreach (var statement in @try.Body.Operations)
        {
            if (primitives.FindAcquisitionOf(statement, released) is { } acquisition)
            {
                if (!IsTimedSemaphoreWait(acquisition))
                    return null;
                if (IsWhole(statement, acquisition))
                    return (acquisition, TimedWaitFix.DeclareFlag, null);
                if (CapturedIn(statement, acquisition) is { } local)
                {
                    if (IsDeclaredIn(local, statement))
                        return (acquisition, TimedWaitFix.HoistLocal, local.Name);
                    return (acquisition, IsDeclaredFalseBefore(local, @try) ? TimedWaitFix.Guard : null, local.Name);
                }
                return (acquisition, null, null);
            }
            if (primitives.ReleasesAnywhere(statement, released))
                return null;
        }
        return null;
    }

    /// <summary>The timed wait before the try whose result the release of <paramref name="released"/> in the finally ignores, with the fix that guards it.</summary>
    private static (LockAcquisition Wait, string? Fix, string? Flag)? FindTimedWaitBefore(LockPrimitives primitives, ITryOperation @try, IBlockOperation @finally, IOperation released)
    {
        // The try takes or releases the semaphore itself: FindTimedWaitInside and the rule's first shape judge it.
        if (primitives.FindAcquisitionOf(@try.Body, released) is not null || primitives.ReleasesAnywhere(@try.Body, released))
            return null;

        // Before the try, in its block: the nearest statement that takes or releases the semaphore decides.
        if (@try.Parent is not IBlockOperation block)
            return null;
        var statements = block.Operations;
        var index = statements.IndexOf(@try);
        for (var i = index - 1; i >= 0; i--)
        {
            var statement = statements[i];
            if (primitives.FindAcquisitionOf(statement, released) is { } acquisition)
            {
                if (!IsTimedSemaphoreWait(acquisition))
                    return null;
                if (IsWhole(statement, acquisition))
                    return (acquisition, TimedWaitFix.CaptureBefore, null);
                // A local that nothing reads before the try, nor the finally: the result is never checked where it matters.
                if (CapturedIn(statement, acquisition) is not { } local || References(local, @finally))
                    return null;
                for (var j = i + 1; j < index; j++)
                {
                    if (References(local, statements[j]))
                        return null;
                }
                return (acquisition, TimedWaitFix.Guard, local.Name);
            }
            if (primitives.ReleasesAnywhere(statement, released))
                return null;
        }
        return null;
    }

    private static bool IsTimedSemaphoreWait(LockAcquisition acquisition)
        => acquisition is { Kind: LockKind.Semaphore, IsConditional: true, Operation: IInvocationOperation wait } && !WaitsForever(wait);

    /// <summary><c>WaitAsync(Timeout.Infinite, ct)</c>, <c>Wait(Timeout.InfiniteTimeSpan)</c>: a bool overload that never returns false.</summary>
    private static bool WaitsForever(IInvocationOperation wait)
    {
        foreach (var argument in wait.Arguments)
        {
            if (argument.Parameter?.Name is not ("millisecondsTimeout" or "timeout"))
                continue;
            var timeout = OperationTree.Unwrap(argument.Value);
            return timeout is { ConstantValue: { HasValue: true, Value: -1 } }
                || timeout is IFieldReferenceOperation { Field: { Name: "InfiniteTimeSpan", ContainingType.Name: "Timeout" } };
        }
        return false;
    }

    /// <summary><c>await s.WaitAsync(t);</c>, <c>s.Wait(t);</c>: the statement is the wait, its result dropped.</summary>
    private static bool IsWhole(IOperation statement, LockAcquisition acquisition)
        => statement is IExpressionStatementOperation expression && OperationTree.Unwrap(expression.Operation) is { } value
            && (value == acquisition.Operation || value is IAwaitOperation awaited && Awaits(awaited, acquisition));

    /// <summary><c>var ok = await s.WaitAsync(t);</c> (one declarator) or <c>ok = await s.WaitAsync(t);</c>: the local the result goes to.</summary>
    private static ILocalSymbol? CapturedIn(IOperation statement, LockAcquisition acquisition)
    {
        switch (statement)
        {
            case IVariableDeclarationGroupOperation { Declarations.Length: 1 } group
                when group.Declarations[0].Declarators.Length == 1 && group.Declarations[0].Declarators[0] is { Initializer.Value: { } value } declarator && IsResultOf(value, acquisition):
                return declarator.Symbol;
            case IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: ILocalReferenceOperation target, Value: { } value } } when IsResultOf(value, acquisition):
                return target.Local;
            default:
                return null;
        }
    }

    private static bool IsResultOf(IOperation value, LockAcquisition acquisition)
    {
        value = OperationTree.Unwrap(value)!;
        return value == acquisition.Operation || value is IAwaitOperation awaited && Awaits(awaited, acquisition);
    }

    private static bool Awaits(IAwaitOperation awaited, LockAcquisition acquisition)
    {
        var operation = OperationTree.Unwrap(awaited.Operation);
        if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } inner })
            operation = OperationTree.Unwrap(inner);
        return operation == acquisition.Operation;
    }

    private static bool IsDeclaredIn(ILocalSymbol local, IOperation statement)
        => local.DeclaringSyntaxReferences.Length == 1 && statement.Syntax.Span.Contains(local.DeclaringSyntaxReferences[0].Span);

    /// <summary>
    /// <c>var taken = false;</c> before the try: the finally can read it whether or not the wait ran (a local declared
    /// without a value could not be read there).
    /// </summary>
    private static bool IsDeclaredFalseBefore(ILocalSymbol local, ITryOperation @try)
        => local.DeclaringSyntaxReferences.Length == 1 && local.DeclaringSyntaxReferences[0] is { } reference
            && reference.SyntaxTree == @try.Syntax.SyntaxTree && reference.Span.End <= @try.Syntax.SpanStart
            && reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax
            {
                Initializer.Value: Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.FalseLiteralExpression },
            };

    private static bool References(ILocalSymbol local, IOperation root)
    {
        foreach (var node in root.DescendantsAndSelf())
        {
            if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                return true;
        }
        return false;
    }

    /// <summary>
    /// <c>_gate.Wait()</c>, <c>Monitor.Enter(_sync)</c>: a System.Threading wait with no token and no timeout waits until
    /// it has the lock. It fails only on misuse (a disposed semaphore, a null object), where the release fails as well,
    /// so as the try's first statement nothing can make the finally release what was never taken. (Code before it in
    /// the try can, and is still reported; so is a project's own lock method, which may fail in ways we cannot see.)
    /// </summary>
    private static bool CannotGiveUp(LockAcquisition acquisition)
        => acquisition.Operation is IInvocationOperation { TargetMethod.ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } invocation
            && !invocation.Arguments.Any(a => a.Parameter?.Type is { } type
                && (type.SpecialType == SpecialType.System_Int32 || type.Name is "TimeSpan" or "CancellationToken"));

    /// <summary><c>Monitor.Enter(x, ref taken)</c>: the flag says whether the lock was taken.</summary>
    private static bool RecordsInAFlag(LockAcquisition acquisition)
        => acquisition.Operation is IInvocationOperation invocation && invocation.Arguments.Any(a => a.Parameter?.RefKind == RefKind.Ref);
}
