using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2001: an awaitable result dropped as a statement: its work may outlive the caller, and its
/// exceptions are never observed (the guides' forgotten await).
/// </summary>
/// <remarks>
/// The compiler's CS4014 already reports discarded calls inside async functions, and discarded calls
/// of methods declared async in the same compilation; by default AP2001 reports where CS4014 cannot:
/// calls of other Task-returning methods (library APIs, non-async wrappers) from synchronous code,
/// and non-call expressions (<c>new Task(...)</c>). Option
/// <c>report_where_cs4014_reports = true</c> makes it report there too.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DiscardedTaskAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.DiscardedTask,
        title: "Do not discard awaitable results",
        messageFormat: "The task returned by {0} is discarded in {1}: nothing waits for it and its exceptions are lost; await it, or discard it explicitly with '_ ='",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A Task, ValueTask or other awaitable used as a statement is started and forgotten: the caller goes on before "
            + "it finishes, and if it fails the exception is never seen. Await it; if running it in the background is intended, say "
            + "so with '_ = ' or an observe-and-forget helper such as task.Forget().",
        helpLinkUri: HelpLinks.For(DiagnosticIds.DiscardedTask));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var options = TaskObservationOptions.PerFile(start.Options, DiagnosticIds.DiscardedTask);
            var helpers = new ObserveHelpers(types);
            start.RegisterOperationAction(c => Analyze(c, types, options, helpers), OperationKind.ExpressionStatement);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions, ObserveHelpers helpers)
    {
        var value = ((IExpressionStatementOperation)context.Operation).Operation;
        // Assignments of any kind (=, ??=, +=, deconstruction) store the task rather than drop it.
        if (value is IAwaitOperation or IAssignmentOperation or ICoalesceAssignmentOperation or IDeconstructionAssignmentOperation || value.Type is null)
            return;

        var options = fileOptions.For(context.Operation.Syntax.SyntaxTree);
        if (!options.IsAwaitable(types, value.Type))
            return;

        // A continuation observes the antecedent; the continuation task itself is rarely worth awaiting.
        // Also through '?.': task?.ContinueWith(t => Log(t.Exception), TaskContinuationOptions.OnlyOnFaulted).
        var produced = OperationTree.WhenNotNull(value);
        if (produced is IInvocationOperation { TargetMethod.Name: "ContinueWith" })
            return;
        // task.ObserveErrors(): an observe helper that hands the task back; dropping that is what it is for.
        if (produced is IInvocationOperation helperCall && helpers.IsObserveHelper(helperCall.TargetMethod, options))
            return;
        if (TaskUses.IsFireAndForgetSafe(produced, options) || helpers.IsInsideObserveHelper(context.ContainingSymbol, options))
            return;

        // CS4014 reports a discarded call inside an async function, and a discarded call of a method
        // declared async in this compilation from anywhere.
        var function = AsyncCode.EnclosingFunction(context.Operation, context.ContainingSymbol);
        if (value is IInvocationOperation call && !options.ReportWhereCs4014Reports && (function is { IsAsync: true } || call.TargetMethod.IsAsync))
            return;

        var properties = ImmutableDictionary<string, string?>.Empty;
        if (function is { IsAsync: false })
            properties = properties.Add(DiagnosticProperties.MakeEnclosingAsync, "true");

        context.ReportDiagnostic(Diagnostic.Create(Rule, value.Syntax.GetLocation(), properties,
            OperationNames.DescribeProducer(value), AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol)));
    }
}
