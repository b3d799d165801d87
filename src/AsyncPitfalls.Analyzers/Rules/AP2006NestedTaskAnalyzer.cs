using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2006: <c>Task.Factory.StartNew(async ...)</c> returns a <c>Task&lt;Task&gt;</c> whose outer task
/// completes at the delegate's first await; <c>new Task(async ...)</c> is worse (an async void
/// delegate). Awaiting the outer task does not wait for the work.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NestedTaskAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.NestedTask,
        title: "Unwrap tasks started with an async delegate",
        messageFormat: "{0} with an async delegate gives a task that completes at the delegate's first await, not when its work ends; {1}",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "TaskFactory.StartNew knows nothing of async delegates: it returns Task<Task>, and the outer task completes as "
            + "soon as the delegate returns its inner task. Code that awaits the outer task continues while the work still runs, and "
            + "misses its exceptions. Task.Run unwraps for you; otherwise call Unwrap(). new Task(async ...) compiles the delegate "
            + "to async void: use Task.Run, or new Task<Task>(...) with Unwrap().",
        helpLinkUri: HelpLinks.For(DiagnosticIds.NestedTask));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            start.RegisterOperationAction(c => AnalyzeStartNew(c, types), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeNewTask(c, types), OperationKind.ObjectCreation);
        });
    }

    private static void AnalyzeStartNew(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name != "StartNew"
            || !(SymbolEqualityComparer.Default.Equals(method.ContainingType, types.TaskFactory) || SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, types.TaskFactoryOfT))
            || types.GetTaskResultType(method.ReturnType) is not { } inner || !types.IsAwaitable(inner))
            return;

        // Unwrapped, or awaited twice (await await ...): the work is waited for.
        var parent = invocation.Parent;
        // Unwrap is an extension method: the call is its 'this' argument.
        while (parent is IConversionOperation or IParenthesizedOperation or IArgumentOperation)
            parent = parent.Parent;
        if (parent is IInvocationOperation { TargetMethod.Name: "Unwrap" } || parent is IAwaitOperation { Parent: IAwaitOperation })
            return;

        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), "'Task.Factory.StartNew'", "use Task.Run or call Unwrap()"));
    }

    private static void AnalyzeNewTask(OperationAnalysisContext context, KnownTypes types)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!types.IsTaskOrValueTask(creation.Type) || creation.Arguments.IsEmpty)
            return;
        if (creation.Arguments[0].Value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation { Symbol: { IsAsync: true, ReturnsVoid: true } } })
            context.ReportDiagnostic(Diagnostic.Create(Rule, creation.Syntax.GetLocation(), "'new Task'", "use Task.Run, or new Task<Task>(...) and Unwrap()"));
    }
}
