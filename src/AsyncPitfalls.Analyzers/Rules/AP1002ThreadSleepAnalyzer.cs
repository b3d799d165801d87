using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1002: <c>Thread.Sleep</c> in async code blocks the thread that runs the continuation (a
/// thread-pool thread, or the UI thread) for the whole wait, where <c>await Task.Delay</c> frees it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThreadSleepAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ThreadSleepInAsyncCode,
        title: "Do not use Thread.Sleep in async code",
        messageFormat: "'Thread.Sleep' blocks a thread-pool thread in {0}; use 'await Task.Delay'",
        category: RuleCategories.Blocking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Thread.Sleep holds the current thread for the whole wait. In async code that thread is a thread-pool "
            + "thread (or the UI thread), so concurrent operations queue up behind the sleep and the pool has to grow. "
            + "'await Task.Delay' releases the thread while it waits and can be cancelled.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ThreadSleepInAsyncCode));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.Thread is null)
                return;
            start.RegisterOperationAction(c => AnalyzeInvocation(c, types), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        // Thread.Sleep(0) gives up the rest of the time slice without waiting; Task.Delay(0) is not its equivalent.
        if (!BlockingOperations.IsThreadSleep(invocation, types))
            return;

        if (!AsyncCode.TryGetContext(invocation, context.ContainingSymbol, types, out var asyncCode) || AsyncCode.IsDualModeCode(invocation, asyncCode))
            return;

        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        if (CancellationTokens.TryFindInScope(invocation, context.ContainingSymbol, types, out var token))
            properties[DiagnosticProperties.CancellationToken] = token.Expression;
        if (!asyncCode.Function.IsAsync)
            properties[DiagnosticProperties.MakeEnclosingAsync] = "true";

        context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties.ToImmutable(), asyncCode.Describe()));
    }
}
