using System.Collections.Generic;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5005: <c>Task.WhenAny(work, Task.Delay(t))</c> as a timeout, and <c>Task.WhenAny</c> as "first
/// one wins", return while the losers go on running: nothing cancels them and nothing awaits them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WhenAnyLeavesWorkRunningAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: present for the timeout shape, which the fix makes cancel the work it abandons.</summary>
    internal const string TimeoutShapeProperty = "Timeout";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.WhenAnyLeavesWorkRunning,
        title: "Cancel or await what Task.WhenAny leaves behind",
        messageFormat: "{0}",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Task.WhenAny returns when the first task completes; the others keep running, holding connections and "
            + "threads, and their failures go unobserved. A timeout built from Task.WhenAny and Task.Delay leaves the slow work "
            + "running after the timeout. Use work.WaitAsync(timeout, token), or cancel the rest (a CancellationTokenSource) or "
            + "await it.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.WhenAnyLeavesWorkRunning));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod is not { Name: "WhenAny", IsStatic: true } method || !SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task))
            return;

        var tasks = Tasks(invocation, types);
        var root = OperationTree.Root(invocation);
        // Completion-order processing (while (tasks.Count > 0) { ... WhenAny(tasks) ... }) awaits every task eventually.
        if (CancellationHandlers.InsideLoop(invocation) || CancelsATokenSource(root, types))
            return;

        var delays = 0;
        IOperation? work = null;
        foreach (var task in tasks)
        {
            if (OperationTree.Unwrap(task) is IInvocationOperation { TargetMethod.Name: "Delay" } delay && SymbolEqualityComparer.Default.Equals(delay.TargetMethod.ContainingType, types.Task))
                delays++;
            else
                work = task;
        }

        if (delays == 1 && tasks.Count == 2 && work is not null)
        {
            var name = OperationNames.TryGetName(work) is { } n ? $"'{n}'" : "the work";
            var message = $"Task.WhenAny with Task.Delay as a timeout leaves {name} running when the delay wins; use '{(OperationNames.TryGetName(work) ?? "work")}.WaitAsync(timeout, token)' or cancel it";
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[TimeoutShapeProperty] = "true";
            // The fix links the token it gives the work to the caller's token, so cancelling the caller still stops it.
            if (CancellationTokens.TryFindInScope(invocation, context.ContainingSymbol, types, out var token))
                properties[DiagnosticProperties.CancellationToken] = token.Expression;
            context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties.ToImmutable(), message));
            return;
        }

        if (delays == 0 && !AwaitedElsewhere(tasks, invocation, root))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(),
                "Task.WhenAny returns at the first completed task and leaves the others running unobserved; cancel them or await them"));
        }
    }

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
