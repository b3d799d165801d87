using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The control-flow-graph plumbing of the flow-sensitive questions (<see cref="ResourceOwnership"/>,
/// <see cref="TaskCompletionFlow"/>): finding the graph of the function around an operation, solving a
/// must-analysis over its blocks, and seeing through the graph's flow captures.
/// </summary>
internal static class FlowGraphs
{
    /// <summary>
    /// The graph of the innermost function around <paramref name="operation"/> (a lambda or local
    /// function has its own), or null when the driver cannot build one (for example for an initializer
    /// it cannot model) or the function is not found. The caller decides what "no graph" means.
    /// </summary>
    /// <param name="lambdasInBranchValues">
    /// Also look for a lambda in the blocks' branch values (a returned lambda, one in a condition).
    /// <see cref="TaskCompletionFlow"/> does; <see cref="ResourceOwnership"/> never did and keeps its
    /// answer (no graph: looked after) for resources created in such lambdas.
    /// </param>
    public static ControlFlowGraph? ForFunctionAround(Func<ControlFlowGraph> rootGraph, IOperation operation, bool lambdasInBranchValues)
    {
        try
        {
            List<IOperation>? chain = null;
            foreach (var ancestor in operation.Ancestors())
            {
                if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    (chain ??= new List<IOperation>()).Add(ancestor);
            }

            var graph = rootGraph();
            for (var i = (chain?.Count ?? 0) - 1; i >= 0 && graph is not null; i--)
            {
                graph = chain![i] switch
                {
                    ILocalFunctionOperation localFunction => graph.GetLocalFunctionControlFlowGraph(localFunction.Symbol),
                    IAnonymousFunctionOperation lambda => FindLambda(graph, lambda.Symbol, lambdasInBranchValues) is { } flow ? graph.GetAnonymousFunctionControlFlowGraph(flow) : null,
                    _ => null,
                };
            }
            return graph;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static IFlowAnonymousFunctionOperation? FindLambda(ControlFlowGraph graph, IMethodSymbol symbol, bool inBranchValues)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                if (FindLambda(operation, symbol) is { } flow)
                    return flow;
            }
            if (inBranchValues && block.BranchValue is { } branch && FindLambda(branch, symbol) is { } inBranch)
                return inBranch;
        }
        return null;
    }

    private static IFlowAnonymousFunctionOperation? FindLambda(IOperation root, IMethodSymbol symbol)
    {
        foreach (var node in root.DescendantsAndSelf())
        {
            if (node is IFlowAnonymousFunctionOperation flow && SymbolEqualityComparer.Default.Equals(flow.Symbol, symbol))
                return flow;
        }
        return null;
    }

    /// <summary>A block's operations in the order they run, its branch value last.</summary>
    public static IEnumerable<IOperation> Operations(BasicBlock block)
    {
        foreach (var operation in block.Operations)
            yield return operation;
        if (block.BranchValue is { } branch)
            yield return branch;
    }

    /// <summary>
    /// A forward must-analysis ("holds on every path"): starts optimistic (true at every block's exit)
    /// and iterates to the greatest fixpoint, bounded by the block count so that a transfer that never
    /// settles still ends. Returns the state at each block's exit, by ordinal.
    /// </summary>
    /// <param name="entry">The state entering a block, from its predecessors' exit states.</param>
    /// <param name="transfer">The state leaving a block, from the state entering it.</param>
    public static bool[] SolveMust(ControlFlowGraph graph, Func<BasicBlock, bool[], bool> entry, Func<bool, BasicBlock, bool> transfer)
    {
        var blocks = graph.Blocks;
        var exit = new bool[blocks.Length];
        for (var i = 0; i < exit.Length; i++)
            exit[i] = true;

        var changed = true;
        for (var round = 0; changed && round < blocks.Length + 2; round++)
        {
            changed = false;
            foreach (var block in blocks)
            {
                var state = transfer(entry(block, exit), block);
                if (state != exit[block.Ordinal])
                {
                    exit[block.Ordinal] = state;
                    changed = true;
                }
            }
        }
        return exit;
    }
}

/// <summary>
/// The values a graph's flow captures hold: the graph rewrites <c>a ?? b</c>, <c>x?.M()</c>, compound
/// conditions and the like through captures, and the analyses want the variable behind them.
/// Collected on first use: most analyses never meet a capture.
/// </summary>
internal sealed class FlowCaptures
{
    private readonly ControlFlowGraph _graph;
    private Dictionary<CaptureId, IOperation>? _values;

    public FlowCaptures(ControlFlowGraph graph) => _graph = graph;

    /// <summary>
    /// <paramref name="operation"/> without implicit conversions and parentheses, followed through
    /// (at most eight nested) captures; a capture whose value is unknown is returned as it is.
    /// </summary>
    public IOperation? Resolve(IOperation? operation)
    {
        operation = OperationTree.Unwrap(operation);
        for (var depth = 0; depth < 8 && operation is IFlowCaptureReferenceOperation reference; depth++)
        {
            _values ??= Collect();
            if (!_values.TryGetValue(reference.Id, out var captured))
                return operation;
            operation = OperationTree.Unwrap(captured);
        }
        return operation;
    }

    private Dictionary<CaptureId, IOperation> Collect()
    {
        var values = new Dictionary<CaptureId, IOperation>();
        foreach (var block in _graph.Blocks)
        {
            // Captures are statements of a block, never inside its branch value.
            foreach (var operation in block.Operations)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    // A capture assigned on two branches (a ?: b) holds no single value: keep the first.
                    if (node is IFlowCaptureOperation capture && !values.ContainsKey(capture.Id))
                        values[capture.Id] = capture.Value;
                }
            }
        }
        return values;
    }
}
