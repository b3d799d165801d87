using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3004: a synchronous wait on a task, or a sleep, while a lock is held. Every thread that needs
/// the lock waits as long as the blocked one; if the awaited work needs the lock (or the UI
/// thread), nothing ever finishes.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingWhileHoldingLockAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.BlockingWhileHoldingLock,
        title: "Do not block while holding a lock",
        messageFormat: "{0} blocks while holding {1}; every thread that needs the lock waits too",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Waiting synchronously on a task or sleeping while a lock is held stretches the critical section by the whole "
            + "wait: every other thread that needs the lock queues behind it. When the task's own continuation needs the same "
            + "lock, or the thread it is waiting for is the one blocked, it never completes. Finish the wait before taking the lock.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.BlockingWhileHoldingLock));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.BlockingWhileHoldingLock);
            start.RegisterOperationAction(c => Analyze(c, primitives), OperationKind.Invocation, OperationKind.PropertyReference);
        });
    }

    /// <summary>
    /// A blocking wait or sleep starts the search; only then does the held-lock walk of its body run,
    /// so bodies without one cost a name test per call.
    /// </summary>
    private static void Analyze(OperationAnalysisContext context, LockPrimitives primitives)
    {
        var operation = context.Operation;
        var types = primitives.Types;
        TaskWait? wait = TaskWaits.TryGet(operation, types, out var found) ? found : null;
        if (wait is null && !(operation is IInvocationOperation invocation && BlockingOperations.IsThreadSleep(invocation, types)))
            return;
        if (HeldLockWalker.HeldAt(primitives, operation, context.ContainingSymbol) is not { } held)
            return;
        if (wait?.Task is { } task && TaskCompletionFlow.IsKnownComplete(task, operation, context, types))
            return;
        var blocking = wait?.Describe() ?? "'Thread.Sleep'";
        context.Report(Diagnostic.Create(Rule, operation.Syntax.GetLocation(), blocking, held.Acquisition.Describe(context.ContainingSymbol.ContainingType)));
    }
}
