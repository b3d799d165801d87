using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Answers "is this task already complete here?" so that reading <c>.Result</c> cannot block: built
/// as complete (<c>Task.FromResult</c>, <c>CompletedTask</c>), the winner of an awaited
/// <c>WhenAny</c>, or a variable that every path to the read has awaited (directly or through an
/// awaited <c>Task.WhenAll</c>, also for elements of an awaited collection) or has checked with
/// <c>IsCompleted</c>/<c>IsCompletedSuccessfully</c>/<c>IsFaulted</c>/<c>IsCanceled</c>/<c>Status</c>.
/// The path question is a must-analysis over Roslyn's control-flow graph of the enclosing function,
/// run only for the variable in question and only when a wait was found.
/// </summary>
internal static class TaskCompletionFlow
{
    public static bool IsKnownComplete(IOperation task, IOperation wait, OperationAnalysisContext context, KnownTypes types)
        => IsKnownComplete(task, wait, context.GetControlFlowGraph, types);

    /// <summary>The same question where the caller gets the enclosing body's graph another way (an operation block action).</summary>
    public static bool IsKnownComplete(IOperation task, IOperation wait, Func<ControlFlowGraph> rootGraph, KnownTypes types)
    {
        var value = OperationTree.Unwrap(task);
        if (value is null)
            return false;
        if (IsCompleteByConstruction(value, types))
            return true;

        var (tracked, isCollection) = Track(value);
        // A member path (node.Value, _value.Task) is followed as a whole.
        var path = tracked is null && MemberPaths.IsPath(value, OperationTree.Unwrap) ? value : null;
        if (tracked is null && path is null)
            return false;

        // No graph for this code: say nothing is known.
        var graph = FlowGraphs.ForFunctionAround(rootGraph, wait, lambdasInBranchValues: true);
        return graph is not null && new Analysis(graph, tracked, path, value, isCollection, wait, types).IsCompleteAtWait();
    }

    /// <summary>Task.FromResult/FromException/FromCanceled, CompletedTask, new ValueTask(value), default, SemaphoreSlim.WaitAsync(0), or an awaited WhenAny's winner.</summary>
    public static bool IsCompleteByConstruction(IOperation value, KnownTypes types)
    {
        switch (value)
        {
            case IInvocationOperation { TargetMethod: { IsStatic: true, Name: "FromResult" or "FromException" or "FromCanceled" } method }
                when types.IsTaskOrValueTask(method.ContainingType):
            case IPropertyReferenceOperation { Property: { IsStatic: true, Name: "CompletedTask" } property }
                when types.IsTaskOrValueTask(property.ContainingType):
            case IDefaultValueOperation:
                return true;
            // SemaphoreSlim.WaitAsync(0) takes the semaphore or answers false at once: its task is already complete.
            case IInvocationOperation { TargetMethod: { IsStatic: false, Name: "WaitAsync" } waitAsync } tryEnter
                when SymbolEqualityComparer.Default.Equals(waitAsync.ContainingType, types.SemaphoreSlim) && SyncApiCalls.HasZeroTimeout(tryEnter):
                return true;
            case IObjectCreationOperation { Constructor: { } constructor, Arguments.Length: 1 } creation
                when types.IsTaskOrValueTask(creation.Type) && !types.IsAwaitable(constructor.Parameters[0].Type):
                return true;
            case IAwaitOperation { Operation: var awaited }:
                return StripConfigureAwait(awaited) is IInvocationOperation { TargetMethod: { IsStatic: true, Name: "WhenAny" } whenAny }
                    && SymbolEqualityComparer.Default.Equals(whenAny.ContainingType, types.Task);
            default:
                return false;
        }
    }

    /// <summary>The variable whose completion decides: the task variable itself, or the collection it comes from.</summary>
    private static (ISymbol? Tracked, bool IsCollection) Track(IOperation value)
    {
        switch (value)
        {
            case IArrayElementReferenceOperation element:
                return (OperationNames.TryGetVariable(element.ArrayReference), true);
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                return (OperationNames.TryGetVariable(indexer.Instance), true);
            case ILocalReferenceOperation local:
                foreach (var current in value.Ancestors())
                {
                    if (current is IForEachLoopOperation loop && loop.Locals.Contains(local.Local))
                        return (OperationNames.TryGetVariable(loop.Collection), true);
                }
                return (local.Local, false);
            default:
                return (OperationNames.TryGetVariable(value), false);
        }
    }

    private static IOperation? StripConfigureAwait(IOperation? operation)
    {
        operation = OperationTree.Unwrap(operation);
        return operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } instance } ? OperationTree.Unwrap(instance) : operation;
    }

    private sealed class Analysis
    {
        private readonly ControlFlowGraph _graph;
        private readonly ISymbol? _tracked;
        private readonly IOperation? _trackedPath;
        private readonly IOperation _value;
        private readonly bool _isCollection;
        private readonly IOperation _waitOperation;
        private readonly SyntaxNode _wait;
        private readonly SemanticModel? _model;
        private readonly KnownTypes _types;
        private readonly FlowCaptures _captures;

        public Analysis(ControlFlowGraph graph, ISymbol? tracked, IOperation? trackedPath, IOperation value, bool isCollection, IOperation wait, KnownTypes types)
        {
            _graph = graph;
            _tracked = tracked;
            _trackedPath = trackedPath;
            _value = value;
            _waitOperation = wait;
            _isCollection = isCollection;
            _wait = wait.Syntax;
            // The graph's operations are rewritten copies without a semantic model; the wait has one.
            _model = wait.SemanticModel;
            _types = types;
            _captures = new FlowCaptures(graph);
        }

        public bool IsCompleteAtWait()
        {
            var blocks = _graph.Blocks;
            BasicBlock? waitBlock = null;
            foreach (var block in blocks)
            {
                foreach (var operation in FlowGraphs.Operations(block))
                {
                    if (operation.Syntax.Span.Contains(_wait.Span) && ContainsWait(operation))
                        waitBlock = block;
                }
            }
            if (waitBlock is null)
                return false;

            // Must-analysis: "complete on every path".
            var exit = FlowGraphs.SolveMust(_graph, Entry, (state, block) => Transfer(state, block, stopAtWait: false));

            return Transfer(Entry(waitBlock, exit), waitBlock, stopAtWait: true);
        }

        private bool ContainsWait(IOperation operation)
        {
            foreach (var node in operation.DescendantsAndSelf())
            {
                if (node.Syntax == _wait)
                    return true;
            }
            return false;
        }

        private bool Entry(BasicBlock block, bool[] exit)
        {
            if (block.Kind == BasicBlockKind.Entry || block.Predecessors.IsEmpty)
                return false;

            foreach (var branch in block.Predecessors)
            {
                var source = branch.Source;
                var value = exit[source.Ordinal];
                if (!value && source.BranchValue is { } condition && source.ConditionKind != ControlFlowConditionKind.None)
                {
                    var conditionHolds = branch.IsConditionalSuccessor == (source.ConditionKind == ControlFlowConditionKind.WhenTrue);
                    value = IsCompletionCheck(condition, out var negated) && conditionHolds != negated;
                }
                if (!value)
                    return false;
            }
            return true;
        }

        private bool Transfer(bool state, BasicBlock block, bool stopAtWait)
        {
            foreach (var operation in block.Operations)
            {
                if (stopAtWait && operation.Syntax.Span.Contains(_wait.Span) && ContainsWait(operation))
                    return VisitBefore(state, operation);
                state = Visit(state, operation);
            }

            if (block.BranchValue is { } branch)
                state = stopAtWait && ContainsWait(branch) ? VisitBefore(state, branch) : Visit(state, branch);
            return state;
        }

        /// <summary>Children before parents: the order in which the operations run.</summary>
        private bool Visit(bool state, IOperation operation)
        {
            foreach (var child in operation.ChildOperations)
                state = Visit(state, child);
            return Apply(state, operation);
        }

        /// <summary>Like <see cref="Visit"/>, for the part of the operation that runs before the wait.</summary>
        private bool VisitBefore(bool state, IOperation operation)
        {
            if (operation.Syntax == _wait || operation.Syntax.SpanStart >= _wait.Span.End)
                return state;
            foreach (var child in operation.ChildOperations)
            {
                if (child.Syntax.Span.End <= _wait.SpanStart)
                    state = Visit(state, child);
                else if (child.Syntax.Span.Contains(_wait.Span))
                    return VisitBefore(state, child);
            }
            return state;
        }

        private bool Apply(bool state, IOperation operation)
        {
            switch (operation)
            {
                case IAwaitOperation await:
                    return state || AwaitCompletesTracked(StripConfigureAwait(await.Operation));

                case ISimpleAssignmentOperation assignment when IsTracked(assignment.Target):
                    return Resolve(assignment.Value) is { } assigned && IsCompleteByConstruction(assigned, _types);

                case ICompoundAssignmentOperation or IDeconstructionAssignmentOperation when IsTracked(((IAssignmentOperation)operation).Target):
                    return false;

                case IInvocationOperation invocation when _isCollection && IsTracked(invocation.Instance) && AddsItems(invocation.TargetMethod.Name):
                    return false;

                case IInvocationOperation assertion when IsCompletionAssertion(assertion):
                    return true;

                case IInvocationOperation or IPropertyReferenceOperation:
                    // An earlier synchronous wait (itself reported) also leaves the task complete.
                    return state || (TaskWaits.TryGet(operation, _types, out var wait) && CompletesTracked(wait, operation));

                default:
                    return state;
            }
        }

        /// <summary>
        /// <c>Assert.True(t.IsCompleted)</c>, <c>Debug.Assert(t.IsCompletedSuccessfully)</c>,
        /// <c>Assert.That(t.IsCompleted)</c>: past the assertion, the task is complete (or the test failed).
        /// </summary>
        private bool IsCompletionAssertion(IInvocationOperation invocation)
            => invocation.TargetMethod.Name is "Assert" or "True" or "IsTrue" or "That"
                && invocation.Arguments.Length > 0
                && IsCompletionCheck(invocation.Arguments[0].Value, out var negated) && !negated;

        private static bool AddsItems(string name)
            => name.StartsWith("Add", StringComparison.Ordinal) || name.StartsWith("Insert", StringComparison.Ordinal)
                || name is "Enqueue" or "Push" or "TryAdd";

        private bool CompletesTracked(TaskWait wait, IOperation operation)
            => wait.Task is { } task
                ? !_isCollection && IsTracked(task)
                : operation is IInvocationOperation { TargetMethod.Name: "WaitAll" } waitAll && ArgumentsMentionTracked(waitAll);

        /// <summary>Whether awaiting <paramref name="awaited"/> completes the tracked variable: itself, or a WhenAll over it.</summary>
        private bool AwaitCompletesTracked(IOperation? awaited)
        {
            awaited = Resolve(awaited);
            if (!_isCollection && IsTracked(awaited))
                return true;
            return awaited is IInvocationOperation { TargetMethod: { IsStatic: true, Name: "WhenAll" } whenAll } invocation
                && SymbolEqualityComparer.Default.Equals(whenAll.ContainingType, _types.Task)
                && ArgumentsMentionTracked(invocation);
        }

        /// <summary>
        /// Whether the tracked variable is among the tasks passed: <c>(a, b)</c> binds to a params array
        /// or (on .NET 9+) a params span, <c>(tasks)</c> to an array or IEnumerable; so look anywhere in
        /// the arguments, not at one parameter shape.
        /// </summary>
        private bool ArgumentsMentionTracked(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                foreach (var node in argument.Value.DescendantsAndSelf())
                {
                    if (node is IAnonymousFunctionOperation)
                        break;
                    if (IsTracked(node))
                        return true;
                }
            }
            return false;
        }

        private bool IsTracked(IOperation? operation)
            => _trackedPath is not null
                ? MemberPaths.Same(operation, _trackedPath, Resolve)
                : OperationNames.TryGetVariable(Resolve(operation)) is { } symbol && SymbolEqualityComparer.Default.Equals(symbol, _tracked);

        /// <summary>Looks through the graph's flow captures to the value they hold.</summary>
        private IOperation? Resolve(IOperation? operation) => _captures.Resolve(operation);

        /// <summary>
        /// <c>t.IsCompleted</c>-style checks and <c>t.Status == TaskStatus.RanToCompletion</c>, possibly negated; also
        /// the project's own checks (a helper taking the task, a property testing the path), and a <c>bool</c> local
        /// that holds such a check and is never written again.
        /// </summary>
        private bool IsCompletionCheck(IOperation condition, out bool negated) => IsCompletionCheck(condition, out negated, followLocals: true);

        private bool IsCompletionCheck(IOperation condition, out bool negated, bool followLocals)
        {
            negated = false;
            condition = Resolve(condition)!;
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                negated = !negated;
                condition = Resolve(not.Operand)!;
            }

            switch (condition)
            {
                case IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled" } property
                    when IsTracked(property.Instance):
                    return !_isCollection;
                case IPropertyReferenceOperation { Property: { Type.SpecialType: SpecialType.System_Boolean } property } guard when !_isCollection:
                    return CompletionGuards.TestedPath(property, out var guardNegated) is { } names
                        && MemberPaths.EndsWith(_value, names, guard.Instance is IInstanceReferenceOperation { IsImplicit: true } ? null : guard.Instance, Resolve)
                        && Negate(ref negated, guardNegated);
                case IInvocationOperation { TargetMethod: { ReturnType.SpecialType: SpecialType.System_Boolean } method, Arguments.Length: > 0 } check when !_isCollection:
                    return IsTracked(check.Arguments[0].Value) && method.Parameters.Length > 0 && _types.IsTaskOrValueTask(method.Parameters[0].Type)
                        && (CompletionGuards.IsCompletionMemberName(method.Name) || CompletionGuards.TestsFirstParameter(method, out var helperNegated) && Negate(ref negated, helperNegated));
                case ILocalReferenceOperation { Local: { Type.SpecialType: SpecialType.System_Boolean } local } when followLocals && !_isCollection:
                    return StoredCheck(local) is { } stored && IsCompletionCheck(stored, out var storedNegated, followLocals: false) && Negate(ref negated, storedNegated);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                    if (binary.OperatorKind == BinaryOperatorKind.NotEquals)
                        negated = !negated;
                    return IsFinalStatusCheck(binary.LeftOperand, binary.RightOperand) || IsFinalStatusCheck(binary.RightOperand, binary.LeftOperand)
                        || IsWinnerCheck(binary.LeftOperand, binary.RightOperand) || IsWinnerCheck(binary.RightOperand, binary.LeftOperand);
                default:
                    return false;
            }
        }

        private static bool Negate(ref bool negated, bool inner)
        {
            if (inner)
                negated = !negated;
            return true;
        }

        /// <summary>
        /// The check a <c>bool</c> local was initialised with (<c>bool done = t.IsCompleted</c>, also
        /// <c>x?.Task.IsCompleted ?? false</c>, true only when x is not null), when nothing writes the local afterwards.
        /// </summary>
        private IOperation? StoredCheck(ILocalSymbol local)
        {
            if (local.DeclaringSyntaxReferences is not { Length: 1 } references
                || references[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: { } initializer }
                || initializer.SyntaxTree != _model?.SyntaxTree
                || OperationTree.Unwrap(_model.GetOperation(initializer)) is not { } value)
                return null;
            foreach (var reference in OperationTree.ReferencesTo(local, _waitOperation))
            {
                if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference
                    || reference.Parent is IArgumentOperation { Parameter.RefKind: not RefKind.None }
                    || reference.Parent is IIncrementOrDecrementOperation)
                    return null;
            }
            if (value is ICoalesceOperation { WhenNull.ConstantValue: { HasValue: true, Value: false } } coalesce)
                value = OperationTree.Unwrap(coalesce.Value)!;
            return value is IConditionalAccessOperation access ? OperationTree.Unwrap(OperationTree.WhenNotNull(access)) : value;
        }

        /// <summary><c>winner == t</c> where the winner came from an awaited WhenAny: the timeout pattern.</summary>
        private bool IsWinnerCheck(IOperation task, IOperation winner)
            => !_isCollection && IsTracked(task) && Resolve(winner) is { } value
                && (IsCompleteByConstruction(value, _types) || IsWhenAnyWinnerVariable(value));

        /// <summary>A local declared as <c>var winner = await Task.WhenAny(...)</c>.</summary>
        private bool IsWhenAnyWinnerVariable(IOperation value)
            => value is ILocalReferenceOperation { Local.DeclaringSyntaxReferences: { Length: 1 } references }
                && references[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: { } initializer }
                && initializer.SyntaxTree == _model?.SyntaxTree
                && _model.GetOperation(initializer) is { } initialValue
                && IsCompleteByConstruction(OperationTree.Unwrap(initialValue)!, _types);

        private bool IsFinalStatusCheck(IOperation status, IOperation constant)
            => !_isCollection
                && Resolve(status) is IPropertyReferenceOperation { Property.Name: "Status" } property && IsTracked(property.Instance)
                && OperationTree.Unwrap(constant) is IFieldReferenceOperation { Field: { Name: "RanToCompletion" or "Faulted" or "Canceled" } field }
                && SymbolEqualityComparer.Default.Equals(field.ContainingType, _types.TaskStatus);
    }
}
