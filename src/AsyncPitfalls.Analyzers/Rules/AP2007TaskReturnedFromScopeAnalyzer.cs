using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2007: a non-async function returns a task from inside <c>using</c>, <c>try</c> or <c>lock</c>:
/// the scope ends when the task is returned, not when it completes, so the resource is disposed
/// (the catch misses its exceptions, the finally runs, the lock is released) while it still runs.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TaskReturnedFromScopeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>
    /// Diagnostic property: present when the scope is a lock, where no await may stand: a <c>lock</c>, or a
    /// <c>try/finally</c> whose finally releases a thread's lock (<c>Monitor.Exit</c>), which an await would move to another thread.
    /// </summary>
    internal const string InLockProperty = "InLock";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.TaskReturnedFromScope,
        title: "Await tasks returned from inside using, try or lock",
        messageFormat: "The task from {0} is returned from inside {1}, which ends before the task does; {2}",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Returning a task without awaiting it leaves the enclosing scope at once: a using disposes its resource while "
            + "the task may still need it, a catch never sees the task's exceptions, a finally runs early, a lock is released. "
            + "Make the method async and return await the task, so the scope lasts as long as the work.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.TaskReturnedFromScope));

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.TaskReturnedFromScope);
            start.RegisterOperationAction(c => Analyze(c, types, primitives), OperationKind.Return);
        });
    }

    private const string AwaitAdvice = "make the method async and 'return await' it";
    private const string LockAdvice = "no await can hold a thread's lock, so start the task outside it, or guard the work with a SemaphoreSlim and await it";

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, LockPrimitives primitives)
    {
        var @return = (IReturnOperation)context.Operation;
        if (@return.ReturnedValue is not { } value || !types.IsAwaitable(value.Type)
            || AsyncCode.EnclosingFunction(@return, context.ContainingSymbol) is not { IsAsync: false } function
            || !types.IsTaskOrValueTask(function.ReturnType)
            || OperationTree.Unwrap(value) is not { } produced
            || TaskCompletionFlow.IsCompleteByConstruction(produced, types)
            || ReadsExistingTask(produced, types))
            return;

        if (EnclosingScope(@return, primitives) is not { } scope)
            return;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.MakeEnclosingAsync, "true");
        if (scope.IsLock)
            properties = properties.Add(InLockProperty, "true");
        context.Report(Diagnostic.Create(Rule, value.Syntax.GetLocation(), properties, OperationNames.DescribeProducer(value), scope.Description,
            scope.IsLock ? LockAdvice : AwaitAdvice));
    }

    /// <summary>
    /// A task read from a field or property (<c>_tcs.Task</c>, <c>_lazy.Value</c>, <c>_completed</c>), also wrapped in
    /// <c>new ValueTask(...)</c>: it stands for work started elsewhere, which the scope never held. How async
    /// primitives are written: under their lock they hand out the task of a waiter they queued.
    /// </summary>
    private static bool ReadsExistingTask(IOperation produced, KnownTypes types)
    {
        var unwrapped = produced;
        if (unwrapped is IObjectCreationOperation { Arguments.Length: 1 } creation && types.IsTaskOrValueTask(creation.Type)
            && types.IsAwaitable(creation.Arguments[0].Value.Type))
            unwrapped = OperationTree.Unwrap(creation.Arguments[0].Value);
        return unwrapped is IFieldReferenceOperation or IPropertyReferenceOperation;
    }

    private sealed class Scope
    {
        public Scope(string description, bool isLock = false)
        {
            Description = description;
            IsLock = isLock;
        }

        public string Description { get; }
        public bool IsLock { get; }
    }

    /// <summary>The innermost using, using declaration, try (with catch or finally) or lock around the return, within its function.</summary>
    private static Scope? EnclosingScope(IOperation @return, LockPrimitives primitives)
    {
        IOperation child = @return;
        foreach (var current in @return.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
                case IUsingOperation @using when child == @using.Body:
                    return new Scope($"'using ({Resource(@using.Resources)})'");
                case ITryOperation @try when child == @try.Body:
                    if (@try.Finally is null && ForwardsExceptionsIntoTheTask(@try))
                        break;
                    if (@try.Finally is { } @finally && ReleasesThreadAffineLock(@finally, primitives))
                        return new Scope("'try/finally' that releases a lock", isLock: true);
                    return new Scope(@try.Catches.IsEmpty ? "'try/finally'" : "'try/catch'");
                case ILockOperation @lock when child == @lock.Body:
                    return new Scope("'lock'", isLock: true);
                case IBlockOperation block:
                    // A using declaration earlier in the block ends with the block.
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                            break;
                        if (statement is IUsingDeclarationOperation declaration)
                            return new Scope($"'using var {Resource(declaration.DeclarationGroup)}'");
                    }
                    break;
            }
            child = current;
        }
        return null;
    }

    /// <summary>
    /// <c>try { return Start(); } catch (Exception e) { return Task.FromException(e); }</c>: every catch returns a
    /// task made from the exception it caught. The try is there for what throws before a task exists; the
    /// task's own exceptions reach the caller through the task, as intended.
    /// </summary>
    private static bool ForwardsExceptionsIntoTheTask(ITryOperation @try)
    {
        if (@try.Catches.IsEmpty)
            return false;
        foreach (var clause in @try.Catches)
        {
            if (clause.ExceptionDeclarationOrExpression is not IVariableDeclaratorOperation { Symbol: var caught }
                || clause.Handler.Operations.LastOrDefault() is not IReturnOperation { ReturnedValue: { } returned }
                || !returned.DescendantsAndSelf().Any(node => node is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, caught)))
                return false;
        }
        return true;
    }

    /// <summary><c>finally { if (taken) Monitor.Exit(_queue); }</c>: the try is a lock written by hand.</summary>
    private static bool ReleasesThreadAffineLock(IBlockOperation @finally, LockPrimitives primitives)
    {
        foreach (var node in @finally.Descendants())
        {
            if (node is IExpressionStatementOperation statement && primitives.ReleasesThreadAffineLock(statement.Operation))
                return true;
        }
        return false;
    }

    private static string Resource(IOperation resources)
    {
        foreach (var node in resources.DescendantsAndSelf())
        {
            if (node is IVariableDeclaratorOperation declarator)
                return declarator.Symbol.Name;
        }
        return OperationNames.TryGetName(resources) ?? "...";
    }
}
