using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2005: an async lambda converted to a void-returning delegate (<c>Action&lt;T&gt;</c>,
/// <c>List.ForEach</c>, <c>Parallel.ForEach</c>, a timer callback) is an async void method in
/// disguise: the code that calls it goes on at its first await and never sees its exceptions.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncLambdaToVoidDelegateAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: "ListForEach" or "ParallelForEach" when the fix can rewrite the call.</summary>
    internal const string CallShapeProperty = "CallShape";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.AsyncLambdaToVoidDelegate,
        title: "Do not pass async lambdas as void-returning delegates",
        messageFormat: "This async lambda becomes '{0}'{1}, which returns void: nothing awaits it and an exception it throws ends the process",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "An async lambda bound to a delegate type that returns void compiles to an async void method. The caller "
            + "(List.ForEach, Parallel.ForEach, a timer) runs it only up to its first await and moves on, so the loop 'finishes' "
            + "before the work does, and exceptions are raised where nothing can catch them. Use an API that takes a Func returning "
            + "Task (foreach with await, Parallel.ForEachAsync).",
        helpLinkUri: HelpLinks.For(DiagnosticIds.AsyncLambdaToVoidDelegate));

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
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.AnonymousFunction);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (!lambda.Symbol.IsAsync || !lambda.Symbol.ReturnsVoid || lambda.Parent is not IDelegateCreationOperation { Type: { } delegateType } creation)
            return;

        // Event handlers are where async void belongs (AP2004 agrees); new Task(async ...) is AP2006's.
        if (Declarations.IsEventHandler(lambda.Symbol, types) || creation.Parent is IEventAssignmentOperation
            || creation.Parent is IArgumentOperation { Parent: IObjectCreationOperation newTask } && types.IsTaskOrValueTask(newTask.Type))
            return;

        var callee = creation.Parent is IArgumentOperation { Parent: IInvocationOperation invocation } ? invocation.TargetMethod : null;
        var shape = callee switch
        {
            { Name: "ForEach", IsStatic: false } when SymbolEqualityComparer.Default.Equals(callee.ContainingType.OriginalDefinition, types.ListOfT) => "ListForEach",
            { Name: "ForEach", IsStatic: true } when SymbolEqualityComparer.Default.Equals(callee.ContainingType, types.Parallel) => "ParallelForEach",
            _ => null,
        };
        var properties = shape is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(CallShapeProperty, shape);
        if (shape is not null && AsyncCode.EnclosingFunction(creation, context.ContainingSymbol) is { IsAsync: false })
            properties = properties.Add(DiagnosticProperties.MakeEnclosingAsync, "true");
        var passedTo = callee is null ? string.Empty : $" for '{SymbolNames.Qualified(callee)}'";
        context.Report(Diagnostic.Create(Rule, lambda.Syntax.GetLocation(), properties, delegateType.Name, passedTo));
    }
}
