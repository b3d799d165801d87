using System.Collections.Immutable;
using System.Linq;
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
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
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
        // Kept in a local that the code unwraps itself: 'var outer = StartNew(...); var inner = await outer; await inner;'.
        if (StoredLocal(parent) is { } outer && IsUnwrappedLater(invocation, outer))
            return;

        context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), "'Task.Factory.StartNew'", "use Task.Run or call Unwrap()"));
    }

    /// <summary>The local that <paramref name="operation"/> (the value's consumer) stores the value in, if any.</summary>
    private static ILocalSymbol? StoredLocal(IOperation? operation) => operation switch
    {
        IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
        ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } => target.Local,
        _ => null,
    };

    /// <summary>
    /// Whether the function that holds <paramref name="operation"/> unwraps <paramref name="outer"/>:
    /// <c>outer.Unwrap()</c>, <c>await await outer</c>, or <c>var inner = await outer;</c> and <c>await inner</c>.
    /// </summary>
    private static bool IsUnwrappedLater(IOperation operation, ILocalSymbol outer)
    {
        var root = operation;
        while (root.Parent is { } up)
            root = up;
        foreach (var reference in root.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, outer))
                continue;
            var consumer = SkipConversions(reference.Parent);
            if (consumer is IInvocationOperation { TargetMethod.Name: "Unwrap" })
                return true;
            if (consumer is not IAwaitOperation awaitOuter)
                continue;
            var awaitConsumer = SkipConversions(awaitOuter.Parent);
            if (awaitConsumer is IAwaitOperation or IInvocationOperation { TargetMethod.Name: "Unwrap" })
                return true;
            if (StoredLocal(awaitConsumer) is { } inner
                && root.Descendants().OfType<ILocalReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Local, inner)
                    && SkipConversions(r.Parent) is IAwaitOperation))
                return true;
        }
        return false;
    }

    private static IOperation? SkipConversions(IOperation? operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation or IArgumentOperation)
            operation = operation.Parent;
        return operation;
    }

    private static void AnalyzeNewTask(OperationAnalysisContext context, KnownTypes types)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!types.IsTaskOrValueTask(creation.Type) || creation.Arguments.IsEmpty)
            return;
        if (creation.Arguments[0].Value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation { Symbol: { IsAsync: true, ReturnsVoid: true } } })
            context.Report(Diagnostic.Create(Rule, creation.Syntax.GetLocation(), "'new Task'", "use Task.Run, or new Task<Task>(...) and Unwrap()"));
    }
}
