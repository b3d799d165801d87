using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1001: <c>.Result</c>, <c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c>, <c>Task.WaitAll</c> or
/// <c>Task.WaitAny</c> in async code holds a thread until another task finishes, and deadlocks under a
/// single-threaded SynchronizationContext; a task already known to be complete is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SyncWaitAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: which wait it is (a <see cref="TaskWaitKind"/> name), for the fix.</summary>
    internal const string WaitKindProperty = "WaitKind";

    /// <summary>
    /// Diagnostic property of a <c>Task.WaitAny</c> whose tasks, raced with <c>Task.WhenAny</c>, would leave work
    /// running (AP5005): the fix does not write that <c>WhenAny</c>.
    /// </summary>
    internal const string LeavesTasksRunningProperty = "LeavesTasksRunning";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.SyncWaitInAsyncCode,
        title: "Do not wait synchronously on tasks in async code",
        messageFormat: "{0} waits synchronously in {1}; use '{2}'",
        category: RuleCategories.Blocking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A synchronous wait holds the current thread until the task finishes. In async code that is a thread-pool "
            + "thread, which the pool needs to finish the very task being waited on; under a single-threaded SynchronizationContext "
            + "(UI, classic ASP.NET) it deadlocks. Await the task instead. Tasks already known to be complete (awaited on every "
            + "path, checked with IsCompleted, built with Task.FromResult) are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.SyncWaitInAsyncCode));

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
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation, OperationKind.PropertyReference);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        if (!TaskWaits.TryGet(context.Operation, types, out var wait)
            || !AsyncCode.TryGetContext(context.Operation, context.ContainingSymbol, types, out var asyncCode)
            || AsyncCode.IsDualModeCode(context.Operation, asyncCode))
            return;

        if (wait.Task is { } task && TaskCompletionFlow.IsKnownComplete(task, context.Operation, context, types))
            return;

        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[WaitKindProperty] = wait.Kind.ToString();
        if (wait.Kind == TaskWaitKind.WaitAny && context.Operation is IInvocationOperation waitAny
            && WhenAnyRaces.Classify(waitAny, types, out _) != WhenAnyRace.LeavesNothing)
            properties[LeavesTasksRunningProperty] = "true";
        if (!asyncCode.Function.IsAsync)
            properties[DiagnosticProperties.MakeEnclosingAsync] = "true";

        context.Report(Diagnostic.Create(Rule, context.Operation.Syntax.GetLocation(), properties.ToImmutable(),
            wait.Describe(), asyncCode.Describe(), wait.Replacement));
    }
}
