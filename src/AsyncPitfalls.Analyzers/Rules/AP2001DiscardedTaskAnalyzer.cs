using System.Collections.Immutable;
using System.Linq;
using System.Threading;
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
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A Task, ValueTask or other awaitable used as a statement is started and forgotten: the caller goes on before "
            + "it finishes, and if it fails the exception is never seen. Await it; if running it in the background is intended, say "
            + "so with '_ = ' or an observe-and-forget helper such as task.Forget().",
        helpLinkUri: HelpLinks.For(DiagnosticIds.DiscardedTask));

    /// <summary>
    /// The same rule for a discarded <c>ContinueWith</c> whose continuation never reads the task it continues: awaiting or
    /// discarding the continuation would not observe the first task, so the message says what does.
    /// </summary>
    internal static readonly DiagnosticDescriptor ContinuationRule = new(
        id: DiagnosticIds.DiscardedTask,
        title: Rule.Title,
        messageFormat: "The continuation of {0} in {1} ignores the task it continues and is itself discarded: nothing observes the exception of {0}; await {0}, or read the task's Exception in the continuation",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: Rule.Description,
        helpLinkUri: HelpLinks.For(DiagnosticIds.DiscardedTask));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, ContinuationRule);

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
        if (produced is IInvocationOperation { TargetMethod.Name: "ContinueWith" } continuation)
        {
            // Unless the continuation never reads the task it continues, and nothing else holds that task.
            if (ReferenceEquals(produced, value) && IgnoredAntecedent(continuation, types, options, context.CancellationToken) is { } antecedent)
            {
                context.Report(Diagnostic.Create(ContinuationRule, value.Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.ContinuationIgnoresAntecedent, "true"),
                    antecedent, AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol)));
            }
            return;
        }
        // task.ObserveErrors(): an observe helper that hands the task back; dropping that is what it is for.
        if (produced is IInvocationOperation helperCall && helpers.IsObserveHelper(helperCall.TargetMethod, options))
            return;
        // task.PipeTo(self): an overload that only passes the task on to such a helper (task.PipeTo(self, false)).
        if (produced is IInvocationOperation forwarderCall && helpers.ForwardsToObserveHelper(forwarderCall.TargetMethod))
            return;
        if (TaskUses.IsFireAndForgetSafe(produced, options) || helpers.IsInsideObserveHelper(context.ContainingSymbol, options))
            return;
        if (RunsFaultFreeWork(produced, types, options, context.CancellationToken))
            return;

        // CS4014 reports a discarded call inside an async function, and a discarded call of a method
        // declared async in this compilation from anywhere.
        var function = AsyncCode.EnclosingFunction(context.Operation, context.ContainingSymbol);
        if (value is IInvocationOperation call && !options.ReportWhereCs4014Reports && (function is { IsAsync: true } || call.TargetMethod.IsAsync))
            return;

        var properties = ImmutableDictionary<string, string?>.Empty;
        if (function is { IsAsync: false })
            properties = properties.Add(DiagnosticProperties.MakeEnclosingAsync, "true");

        context.Report(Diagnostic.Create(Rule, value.Syntax.GetLocation(), properties,
            OperationNames.DescribeProducer(value), AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol)));
    }

    /// <summary>
    /// How the message names the antecedent of <c>first.ContinueWith(_ =&gt; ...)</c> when nothing observes it: the continuation is a
    /// lambda that never reads its task parameter (<c>_</c>, or a name it never uses), no continuation option filters on the
    /// antecedent's state (<c>OnlyOnFaulted</c>, <c>NotOnRanToCompletion</c>: the author handled that state), and the antecedent is a
    /// task no one else holds: a call's result (not <c>Task.Delay</c>, which only ends cancelled, nor work that cannot fault), or a
    /// local read only here. A parameter, field or property belongs to code that may observe it; a method group may read the task.
    /// </summary>
    private static string? IgnoredAntecedent(IInvocationOperation continuation, KnownTypes types, TaskObservationOptions options, CancellationToken cancellationToken)
    {
        var taskType = continuation.TargetMethod.ContainingType?.OriginalDefinition;
        if (taskType is null || !SymbolEqualityComparer.Default.Equals(taskType, types.Task) && !SymbolEqualityComparer.Default.Equals(taskType, types.TaskOfT)
            || OperationTree.Unwrap(continuation.Instance) is not { } antecedent)
            return null;

        IAnonymousFunctionOperation? lambda = null;
        foreach (var argument in continuation.Arguments)
        {
            var argumentValue = OperationTree.Unwrap(argument.Value);
            if (argumentValue is IDelegateCreationOperation creation)
            {
                if (OperationTree.Unwrap(creation.Target) is not IAnonymousFunctionOperation function)
                    return null;
                lambda = function;
            }
            else if (argument.Value.Type?.Name == "TaskContinuationOptions"
                && (argument.Value.ConstantValue is not { HasValue: true, Value: int flags } || (flags & StateFilters) != 0))
            {
                return null;
            }
        }
        if (lambda is null || lambda.Symbol.Parameters.IsEmpty || ReadsParameter(lambda.Body, lambda.Symbol.Parameters[0]))
            return null;

        switch (antecedent)
        {
            case ILocalReferenceOperation local:
                // Read only here, and written only by its declaration, with a call that may fault.
                foreach (var reference in OperationTree.ReferencesTo(local.Local, continuation))
                {
                    if (!ReferenceEquals(reference, local))
                        return null;
                }
                return OperationTree.Unwrap(Initializer(local.Local, continuation)) is IInvocationOperation initializer && MayFault(initializer, types, options, cancellationToken)
                    ? "'" + local.Local.Name + "'"
                    : null;
            case IInvocationOperation call:
                return MayFault(call, types, options, cancellationToken) ? OperationNames.DescribeProducer(call) : null;
            default:
                return null;
        }
    }

    /// <summary>Not <c>Task.Delay</c>, which only ends cancelled (a cancelled task raises nothing unobserved), nor work that catches everything.</summary>
    private static bool MayFault(IInvocationOperation call, KnownTypes types, TaskObservationOptions options, CancellationToken cancellationToken)
        => !(call.TargetMethod.Name == "Delay" && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, types.Task))
            && !RunsFaultFreeWork(call, types, options, cancellationToken);

    private static IOperation? Initializer(ILocalSymbol local, IOperation operation)
    {
        foreach (var node in OperationTree.Root(operation).Descendants())
        {
            if (node is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                return declarator.GetVariableInitializer()?.Value;
        }
        return null;
    }

    /// <summary>TaskContinuationOptions.NotOnRanToCompletion | NotOnFaulted | NotOnCanceled, of which every OnlyOn* is made.</summary>
    private const int StateFilters = 0x10000 | 0x20000 | 0x40000;

    private static bool ReadsParameter(IOperation body, IParameterSymbol parameter)
    {
        foreach (var node in body.Descendants())
        {
            if (node is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The dropped task cannot fault, so there is nothing to lose: <c>Task.Run(() =&gt; tcs.TrySetResult(r))</c> only moves
    /// the completion of a source whose task the caller awaits off the current thread, and <c>Task.Run(PumpAsync)</c>,
    /// <c>Task.Run(() =&gt; { try { ... } catch (Exception e) { Log(e); } })</c> run work that catches and reports every
    /// exception itself. The work is the delegate given to <c>Task.Run</c> or <c>TaskFactory.StartNew</c>, or the async
    /// method called; a method is looked at only when its body is in the same file (another file's semantic model is
    /// not an analyzer's to ask for) and the call cannot dispatch elsewhere (not virtual, abstract or an interface's).
    /// </summary>
    private static bool RunsFaultFreeWork(IOperation produced, KnownTypes types, TaskObservationOptions options, CancellationToken cancellationToken)
    {
        if (OperationTree.Unwrap(produced) is not IInvocationOperation call)
            return false;
        // Task.Factory.StartNew(LoopAsync).Unwrap(): the unwrapped task faults as the inner work does.
        if (call.TargetMethod is { Name: "Unwrap", IsExtensionMethod: true } && call.Arguments.Length == 1
            && OperationTree.Unwrap(call.Arguments[0].Value) is IInvocationOperation wrapped)
            call = wrapped;

        var method = call.TargetMethod;
        var forks = method.Name == "Run" && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task)
            || method.Name == "StartNew" && (SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, types.TaskFactory)
                || SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, types.TaskFactoryOfT));
        if (!forks)
            return method.IsAsync && IsFaultFree(method, SourceBody(method, call.SemanticModel, cancellationToken), types, options, call.SemanticModel, forwards: false, cancellationToken);

        foreach (var argument in call.Arguments)
        {
            var value = argument.Value;
            while (value is IConversionOperation conversion)
                value = conversion.Operand;
            if (value is not IDelegateCreationOperation creation)
                continue;
            return creation.Target switch
            {
                IAnonymousFunctionOperation lambda => IsFaultFree(lambda.Symbol, lambda.Body, types, options, call.SemanticModel, forwards: true, cancellationToken),
                IMethodReferenceOperation reference => IsFaultFree(reference.Method, SourceBody(reference.Method, call.SemanticModel, cancellationToken), types, options, call.SemanticModel, forwards: false, cancellationToken),
                _ => false,
            };
        }
        return false;
    }

    /// <summary>
    /// The function only completes task sources, or its body catches everything (an async body, or a synchronous one
    /// that returns no task that could fault later). With <paramref name="forwards"/>, a lambda that only calls one
    /// such method with plain arguments (<c>() =&gt; AddNodeAsync(factory)</c>, awaited or not) counts too.
    /// </summary>
    private static bool IsFaultFree(IMethodSymbol function, IBlockOperation? body, KnownTypes types, TaskObservationOptions options, SemanticModel? model, bool forwards, CancellationToken cancellationToken)
    {
        if (body is null)
            return false;
        if (FaultFreeWork.OnlyCompletesTaskSources(body))
            return true;
        if ((function.IsAsync || !options.IsAwaitable(types, function.ReturnType)) && FaultFreeWork.CatchesEverything(body, types, allowGuards: true))
            return true;
        if (!forwards || SingleCall(body) is not { } call
            || call.Instance is { } instance && !FaultFreeWork.IsPlainValue(instance)
            || call.Arguments.Any(argument => !FaultFreeWork.IsPlainValue(argument.Value)))
            return false;
        return IsFaultFree(call.TargetMethod, SourceBody(call.TargetMethod, model, cancellationToken), types, options, model, forwards: false, cancellationToken);
    }

    /// <summary><c>() =&gt; Work(x)</c>, <c>async () =&gt; await Work(x)</c>: the one call a lambda's body makes.</summary>
    private static IInvocationOperation? SingleCall(IBlockOperation body)
    {
        IInvocationOperation? single = null;
        foreach (var statement in body.Operations)
        {
            var value = FaultFreeWork.ValueOf(statement);
            if (value is null)
                continue;
            if (value is IAwaitOperation awaited)
                value = awaited.Operation;
            if (single is not null || OperationTree.Unwrap(value) is not IInvocationOperation call)
                return null;
            single = call;
        }
        return single;
    }

    /// <summary>The body of a method or local function declared once, in the file <paramref name="model"/> belongs to.</summary>
    private static IBlockOperation? SourceBody(IMethodSymbol method, SemanticModel? model, CancellationToken cancellationToken)
    {
        method = method.PartialImplementationPart ?? method.ReducedFrom ?? method.OriginalDefinition;
        if (model is null || method.IsAbstract || method.IsVirtual || method.IsOverride || method.IsExtern
            || method.ContainingType?.TypeKind == TypeKind.Interface || method.DeclaringSyntaxReferences.Length != 1)
            return null;
        var reference = method.DeclaringSyntaxReferences[0];
        if (reference.SyntaxTree != model.SyntaxTree)
            return null;
        return model.GetOperation(reference.GetSyntax(cancellationToken), cancellationToken) switch
        {
            IMethodBodyOperation body => body.BlockBody ?? body.ExpressionBody,
            ILocalFunctionOperation localFunction => localFunction.Body,
            _ => null,
        };
    }
}
