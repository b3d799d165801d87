using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The shared answer of the resource rules (AP4001, AP4003, AP4004) to "is this resource looked
/// after?", the way a careful reviewer reads it: a resource is fine once it is disposed, returned,
/// stored (a field, a property, another variable, a collection), passed on (ownership goes with it:
/// <c>new HttpClient(handler)</c> owns the handler, unless <c>disposeHandler: false</c>) or captured
/// by a lambda. A local is reported when some path from its creation to the end of the function
/// neither disposes it nor lets it go: a must-analysis over Roslyn's control-flow graph, in which a
/// finally region counts on the paths that run it. Paths that end in an exception are not followed.
/// </summary>
internal static class ResourceOwnership
{
    /// <summary>Where a created resource goes, right where it is created (before any variable holds it).</summary>
    public enum Fate
    {
        /// <summary>Disposed on the spot (<c>using</c>), returned, stored, passed on: looked after.</summary>
        LookedAfter,
        /// <summary>Kept in a local variable: the function's paths decide.</summary>
        Local,
        /// <summary>Used and dropped (<c>new HttpClient().GetStringAsync(url)</c>, a discarded response): never disposed.</summary>
        Dropped,
    }

    /// <summary>What happens to the value of <paramref name="creation"/>, and the local that holds it, if one does.</summary>
    public static Fate FateOf(IOperation creation, out ILocalSymbol? local)
    {
        local = null;
        var value = creation;
        var parent = creation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            value = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                local = declarator.Symbol;
                return IsUsingDeclared(declarator) ? Fate.LookedAfter : Fate.Local;
            case ISimpleAssignmentOperation assignment when assignment.Value == value:
                if (assignment.Target is ILocalReferenceOperation target)
                {
                    local = target.Local;
                    return Fate.Local;
                }
                return Fate.LookedAfter; // a field, a property, an element: stored
            case IUsingOperation or IReturnOperation or IArgumentOperation or IArrayInitializerOperation
                or IMemberInitializerOperation or IFieldInitializerOperation or IPropertyInitializerOperation
                or ICoalesceAssignmentOperation or IAwaitOperation
                or ITupleOperation or IAnonymousObjectCreationOperation or IConditionalOperation or ICoalesceOperation
                or IDelegateCreationOperation or IAnonymousFunctionOperation or IBlockOperation:
                return parent is IArgumentOperation argument && !TakesOwnership(argument) ? Fate.Dropped : Fate.LookedAfter;
            case IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" or "Close" }:
                return Fate.LookedAfter;
            case IExpressionStatementOperation:
            case IInvocationOperation or IPropertyReferenceOperation or IMemberReferenceOperation:
                return Fate.Dropped;
            default:
                // Lambda bodies (=> new X()) and other shapes give the value away.
                return Fate.LookedAfter;
        }
    }

    /// <summary>
    /// Whether the local created at <paramref name="creation"/> is disposed or let go on every path
    /// to the end of the function. <paramref name="context"/> gives the control-flow graph.
    /// </summary>
    public static bool IsLookedAfterOnEveryPath(ILocalSymbol local, IOperation creation, OperationAnalysisContext context)
    {
        // A lambda or local function that mentions the local takes it over (it may dispose it later).
        if (IsCapturedOrUsingDeclared(local, creation))
            return true;

        // No graph: say nothing rather than guess.
        var graph = FlowGraphs.ForFunctionAround(context.GetControlFlowGraph, creation, lambdasInBranchValues: false);
        return graph is null || new Analysis(graph, local).HoldsAtExit();
    }

    private static bool IsUsingDeclared(IVariableDeclaratorOperation declarator)
    {
        foreach (var current in declarator.Ancestors())
        {
            switch (current)
            {
                case IUsingDeclarationOperation:
                case IUsingOperation:
                    return true;
                case IVariableDeclarationOperation or IVariableDeclarationGroupOperation:
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>
    /// <c>new HttpClient(handler, disposeHandler: false)</c> keeps the handler with the caller, and a
    /// weak reference owns nothing; every other argument passing hands the resource over.
    /// </summary>
    private static bool TakesOwnership(IArgumentOperation argument)
    {
        if (argument.Parent is IObjectCreationOperation { Type.Name: "WeakReference" })
            return false;
        if (argument.Parent is IObjectCreationOperation creation && creation.Type?.Name is "HttpClient" or "HttpMessageInvoker")
        {
            foreach (var other in creation.Arguments)
            {
                if (other.Parameter?.Name == "disposeHandler" && other.Value.ConstantValue is { HasValue: true, Value: false })
                    return false;
            }
        }
        return true;
    }

    private static bool IsCapturedOrUsingDeclared(ILocalSymbol local, IOperation creation)
    {
        foreach (var node in OperationTree.Root(creation).Descendants())
        {
            // Only a function nested in the local's own: the lambda or local function the local is declared in (a
            // minimal API handler, say) mentions it without capturing it.
            if (node is IAnonymousFunctionOperation or ILocalFunctionOperation && !DeclaresIn(node, local))
            {
                foreach (var inner in node.Descendants())
                {
                    if (inner is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                        return true;
                }
            }
            if (node is IUsingOperation { Resources: var resources } && ContainsReference(resources, local))
                return true;
        }
        return false;
    }

    /// <summary>Whether <paramref name="local"/> is declared inside <paramref name="function"/> (then the function does not capture it).</summary>
    private static bool DeclaresIn(IOperation function, ILocalSymbol local)
    {
        foreach (var declaration in local.DeclaringSyntaxReferences)
        {
            if (declaration.SyntaxTree == function.Syntax.SyntaxTree && function.Syntax.Span.Contains(declaration.Span))
                return true;
        }
        return false;
    }

    private static bool ContainsReference(IOperation operation, ILocalSymbol local)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                return true;
        }
        return false;
    }

    /// <summary>
    /// "Looked after" must-state: true before the creation (nothing to look after yet) and after a
    /// dispose or an escape; false from the creation on. It must be true where the function exits.
    /// </summary>
    private sealed class Analysis
    {
        private readonly ControlFlowGraph _graph;
        private readonly ILocalSymbol _local;
        private readonly FlowCaptures _captures;

        public Analysis(ControlFlowGraph graph, ILocalSymbol local)
        {
            _graph = graph;
            _local = local;
            _captures = new FlowCaptures(graph);
        }

        public bool HoldsAtExit()
        {
            var exit = FlowGraphs.SolveMust(_graph, Entry, Transfer);
            return Entry(_graph.Blocks[_graph.Blocks.Length - 1], exit);
        }

        private bool Entry(BasicBlock block, bool[] exit)
        {
            if (block.Kind == BasicBlockKind.Entry)
                return true;
            foreach (var branch in block.Predecessors)
            {
                if (!exit[branch.Source.Ordinal] && !FinallyHandles(branch))
                    return false;
            }
            return true;
        }

        /// <summary>A branch that leaves a try runs its finally: a dispose there counts on this path.</summary>
        private bool FinallyHandles(ControlFlowBranch branch)
        {
            foreach (var region in branch.FinallyRegions)
            {
                for (var ordinal = region.FirstBlockOrdinal; ordinal <= region.LastBlockOrdinal; ordinal++)
                {
                    var block = _graph.Blocks[ordinal];
                    foreach (var operation in block.Operations)
                    {
                        if (Visit(false, operation))
                            return true;
                    }
                    if (block.BranchValue is { } value && Visit(false, value))
                        return true;
                }
            }
            return false;
        }

        private bool Transfer(bool state, BasicBlock block)
        {
            foreach (var operation in block.Operations)
                state = Visit(state, operation);
            if (block.BranchValue is { } value)
                state = Visit(state, value);
            // 'return local;' hands the local over: the returned value is the local itself (not a call on it).
            if (block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return && block.BranchValue is { } returned && IsLocal(returned))
                state = true;
            return state;
        }

        private bool Visit(bool state, IOperation operation)
        {
            foreach (var child in operation.ChildOperations)
                state = Visit(state, child);

            switch (operation)
            {
                case ISimpleAssignmentOperation assignment when IsLocal(assignment.Target):
                    // The creation (or a new value) lands in the variable: from here on it needs looking after.
                    return false;
                case IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" or "Close" } dispose when IsLocal(dispose.Instance):
                    return true;
                case ILocalReferenceOperation or IFlowCaptureReferenceOperation when IsLocal(operation) && Escapes(operation):
                    return true;
                default:
                    return state;
            }
        }

        /// <summary>Returned, passed on (handing ownership over), stored anywhere, put in a collection or tuple.</summary>
        private static bool Escapes(IOperation reference)
        {
            var value = reference;
            var parent = reference.Parent;
            while (parent is IConversionOperation or IParenthesizedOperation)
            {
                value = parent;
                parent = parent.Parent;
            }
            return parent switch
            {
                IArgumentOperation argument => TakesOwnership(argument),
                ISimpleAssignmentOperation assignment => assignment.Value == value,
                IReturnOperation or IArrayInitializerOperation or ITupleOperation => true,
                _ => false,
            };
        }

        private bool IsLocal(IOperation? operation)
        {
            operation = OperationTree.Unwrap(operation);
            // EnsureSuccessStatusCode() returns the response it is called on.
            while (operation is IInvocationOperation { TargetMethod.Name: "EnsureSuccessStatusCode", Instance: { } instance })
                operation = OperationTree.Unwrap(instance);
            operation = _captures.Resolve(operation);
            return operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, _local);
        }
    }
}
