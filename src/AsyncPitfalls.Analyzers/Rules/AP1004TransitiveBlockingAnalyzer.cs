using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1004: async code calls a synchronous method of the same compilation that blocks, directly or
/// through the methods it calls (an AP1001-AP1003 shape inside). The block is invisible at the call
/// site; the message says where it is.
/// </summary>
/// <remarks>
/// Each synchronous method gets a summary while the compilation is analysed (its first blocking
/// operation, and the compilation's methods it calls with a known target); at compilation end one
/// breadth-first walk over the reversed call edges marks every method that reaches a block, so the
/// cost is linear in methods plus calls. A wait blocks unless its task is known to be complete, a
/// question that builds the function's control-flow graph: it is asked at compilation end, only in the
/// methods async code reaches. Virtual, abstract and interface calls have unknown targets
/// and are not followed. Being whole-program, the rule reports in builds, not live per document.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransitiveBlockingAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.TransitiveBlocking,
        title: "Async code calls a synchronous method that blocks",
        messageFormat: "'{0}' blocks: it reaches {1} ({2}){3}; called from {4}",
        category: RuleCategories.Blocking,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "The called method is synchronous and, itself or through the methods it calls, waits on a task, sleeps or "
            + "calls a blocking API that has an awaitable form. Called from async code, it blocks that code's thread just as the "
            + "blocking call would. Make the helper async (or give it an async twin) and await it.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.TransitiveBlocking),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var graph = new CallGraph(types, start.Compilation, start.Options);
            start.RegisterOperationAction(graph.Visit, OperationKind.Invocation, OperationKind.PropertyReference);
            start.RegisterCompilationEndAction(graph.Report);
        });
    }

    /// <summary>A blocking operation: how the message names it, and where it is.</summary>
    private sealed class Block
    {
        public Block(string description, Location location)
        {
            Description = description;
            Location = location;
        }

        public string Description { get; }
        public Location Location { get; }
    }

    /// <summary>
    /// A wait in a synchronous function: a block there unless its task is known to be complete. Kept with the driver's
    /// graph of the body (cached by the driver), so that the question is asked only if async code reaches the function.
    /// </summary>
    private sealed class Wait
    {
        private readonly IOperation _task;
        private readonly IOperation _operation;
        private readonly System.Func<ControlFlowGraph> _rootGraph;

        public Wait(IMethodSymbol function, Block block, IMethodSymbol? callee, IOperation task, IOperation operation, System.Func<ControlFlowGraph> rootGraph)
        {
            Function = function;
            Block = block;
            Callee = callee;
            _task = task;
            _operation = operation;
            _rootGraph = rootGraph;
        }

        public IMethodSymbol Function { get; }
        public Block Block { get; }

        /// <summary>The method of this compilation the wait calls, followed like any call when the wait does not block.</summary>
        public IMethodSymbol? Callee { get; }

        public bool IsKnownComplete(KnownTypes types) => TaskCompletionFlow.IsKnownComplete(_task, _operation, _rootGraph, types);
    }

    /// <summary>
    /// A call from async code into a synchronous method of the compilation. Kept until compilation end for
    /// every such call, and few are reported: the location and the caller's description are made at the report.
    /// </summary>
    private sealed class AsyncCall
    {
        public AsyncCall(IMethodSymbol callee, SyntaxNode call, AsyncCodeContext caller)
        {
            Callee = callee;
            Tree = call.SyntaxTree;
            Span = call.Span;
            // Without the function's operation: the context is kept, the operation tree need not be.
            Caller = new AsyncCodeContext(caller.Kind, caller.Function, caller.Member, functionOperation: null);
        }

        public IMethodSymbol Callee { get; }
        public SyntaxTree Tree { get; }
        public TextSpan Span { get; }
        public AsyncCodeContext Caller { get; }
    }

    private sealed class CallGraph
    {
        private readonly KnownTypes _types;
        private readonly Compilation _compilation;
        private readonly PerFileOptions<SymbolNameList> _exclusions;
        private readonly ConcurrentDictionary<IMethodSymbol, Block> _directBlocks = new(SymbolEqualityComparer.Default);
        // Plain queues, grouped at compilation end: a ConcurrentBag per callee costs a ThreadLocal each,
        // and creating many of those grows superlinearly.
        private readonly ConcurrentQueue<(IMethodSymbol Callee, IMethodSymbol Caller)> _calls = new();
        private readonly ConcurrentQueue<AsyncCall> _asyncCalls = new();
        private readonly ConcurrentQueue<Wait> _waits = new();

        public CallGraph(KnownTypes types, Compilation compilation, AnalyzerOptions options)
        {
            _types = types;
            _compilation = compilation;
            _exclusions = AsyncCounterpartAnalyzer.ExclusionsPerFile(options, DiagnosticIds.TransitiveBlocking);
        }

        public void Visit(OperationAnalysisContext context)
        {
            var operation = context.Operation;
            var exclusions = _exclusions.For(operation.Syntax.SyntaxTree);
            if (!MayMatter(operation, exclusions))
                return;
            if (InsideSynchronousLambda(operation))
                return; // Deferred: a sync lambda's body does not run when the method runs.
            // What a throw throws is built only once something failed (throw connector.Break(e)): the failure's
            // clean-up, not the work the caller awaits.
            if (OperationTree.IsInThrow(operation))
                return;

            if (AsyncCode.TryGetContext(operation, context.ContainingSymbol, _types, out var asyncCode))
            {
                // A helper with its own NameAsync twin is AP1003's to report, at the same call.
                if (operation is IInvocationOperation call && IsFollowable(call.TargetMethod) && !AsyncCode.IsOffloaded(asyncCode, _types)
                    && SyncApiCalls.FindCounterpart(call, _types, exclusions, asyncCode.Function) is null && !AsyncCode.IsDualModeCode(call, asyncCode))
                    _asyncCalls.Enqueue(new AsyncCall(call.TargetMethod.OriginalDefinition, call.Syntax, asyncCode));
                return;
            }

            // A catch of the async code itself is followed: closing a connection there blocks as much as anywhere
            // (StackExchange.Redis, RabbitMQ). A catch inside a synchronous helper that cleans up and rethrows runs
            // only when the helper's own work failed (Marten's session factories dispose what they opened when a
            // constructor throws): that is not what calling the helper costs. A retry's catch that sleeps and carries
            // on (Rebus's Retrier) is.
            if (EnclosingSynchronousFunction(operation, context.ContainingSymbol) is not { } function || OperationTree.IsInFailureCleanup(operation))
                return;

            var blocking = BlockingOperations.DescribeIfMayBlock(operation, _types, exclusions, function, out var waitedTask);
            var callee = operation is IInvocationOperation invocation && IsFollowable(invocation.TargetMethod) ? invocation.TargetMethod.OriginalDefinition : null;
            if (blocking is null)
            {
                if (callee is not null)
                    _calls.Enqueue((callee, function));
                return;
            }
            var block = new Block(blocking, operation.Syntax.GetLocation());
            if (waitedTask is not null)
                _waits.Enqueue(new Wait(function, block, callee, waitedTask, operation, context.GetControlFlowGraph));
            else
                AddBlock(_directBlocks, function, block);
        }

        private static void AddBlock(ConcurrentDictionary<IMethodSymbol, Block> blocks, IMethodSymbol function, Block block)
            => blocks.AddOrUpdate(function, block, (_, existing) => Earlier(existing, block));

        public void Report(CompilationAnalysisContext context)
        {
            if (_asyncCalls.IsEmpty || _directBlocks.IsEmpty && _waits.IsEmpty)
                return;

            var callersOf = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (var (callee, caller) in _calls)
                AddEdge(callersOf, callee, caller);
            ResolveWaits(callersOf, context.CancellationToken);

            // Breadth-first from the blocking methods to their callers: every method reaching a block,
            // with the nearest block as its witness and its next call on the way there (the message's chain).
            // Sorted so that the witness is the same on every run.
            var witness = new Dictionary<IMethodSymbol, Block>(SymbolEqualityComparer.Default);
            var nextTowardBlock = new Dictionary<IMethodSymbol, IMethodSymbol>(SymbolEqualityComparer.Default);
            var queue = new Queue<IMethodSymbol>();
            foreach (var pair in _directBlocks.OrderBy(p => p.Value.Location, SourceOrder.Instance))
            {
                witness[pair.Key] = pair.Value;
                queue.Enqueue(pair.Key);
            }
            while (queue.Count > 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var callee = queue.Dequeue();
                if (!callersOf.TryGetValue(callee, out var callers))
                    continue;
                foreach (var caller in callers.OrderBy(c => c.Locations.FirstOrDefault(), SourceOrder.Instance))
                {
                    if (witness.ContainsKey(caller))
                        continue;
                    witness[caller] = witness[callee];
                    nextTowardBlock[caller] = callee;
                    queue.Enqueue(caller);
                }
            }

            foreach (var call in _asyncCalls)
            {
                if (!witness.TryGetValue(call.Callee, out var block))
                    continue;
                context.ReportDiagnostic(Diagnostic.Create(Rule, Location.Create(call.Tree, call.Span), new[] { block.Location },
                    SymbolNames.ForMessage(call.Callee), block.Description, Describe(block.Location), Through(call.Callee, nextTowardBlock), call.Caller.Describe()));
            }
        }

        /// <summary>
        /// The waits of the methods async code reaches (through every call that could be followed) become blocks or, on a
        /// task known to be complete, calls. The others cannot change a report: a method that async code does not reach
        /// is no witness and no link of any chain that the report walks.
        /// </summary>
        private void ResolveWaits(Dictionary<IMethodSymbol, List<IMethodSymbol>> callersOf, System.Threading.CancellationToken cancellationToken)
        {
            if (_waits.IsEmpty)
                return;
            var calleesOf = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (var (callee, caller) in _calls)
                AddEdge(calleesOf, caller, callee);
            foreach (var wait in _waits)
            {
                if (wait.Callee is not null)
                    AddEdge(calleesOf, wait.Function, wait.Callee);
            }
            var reached = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var pending = new Stack<IMethodSymbol>();
            foreach (var call in _asyncCalls)
            {
                if (reached.Add(call.Callee))
                    pending.Push(call.Callee);
            }
            while (pending.Count > 0)
            {
                if (!calleesOf.TryGetValue(pending.Pop(), out var callees))
                    continue;
                foreach (var callee in callees)
                {
                    if (reached.Add(callee))
                        pending.Push(callee);
                }
            }

            foreach (var wait in _waits)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!reached.Contains(wait.Function))
                    continue;
                if (!wait.IsKnownComplete(_types))
                    AddBlock(_directBlocks, wait.Function, wait.Block);
                else if (wait.Callee is not null)
                    AddEdge(callersOf, wait.Callee, wait.Function);
            }
        }

        private static void AddEdge(Dictionary<IMethodSymbol, List<IMethodSymbol>> edges, IMethodSymbol from, IMethodSymbol to)
        {
            if (!edges.TryGetValue(from, out var targets))
                edges[from] = targets = new List<IMethodSymbol>();
            targets.Add(to);
        }

        /// <summary>
        /// Whether the operation could be a call to follow or a block, asked before the walks up the tree that placing it
        /// takes: most calls and property reads are neither. Without the enclosing member the counterpart search only
        /// finds more, so a "no" here is the answer of every later question.
        /// </summary>
        private bool MayMatter(IOperation operation, SymbolNameList exclusions)
            => operation is IInvocationOperation call
                ? IsFollowable(call.TargetMethod) || TaskWaits.TryGet(call, _types, out _) || BlockingOperations.IsThreadSleep(call, _types)
                    || SyncApiCalls.FindCounterpart(call, _types, exclusions, enclosingMember: null) is not null
                : TaskWaits.TryGet(operation, _types, out _);

        /// <summary>A synchronous method of this compilation whose target is known at the call.</summary>
        private bool IsFollowable(IMethodSymbol method)
        {
            if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction)
                || !SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _compilation.Assembly)
                || method.DeclaringSyntaxReferences.IsEmpty
                || method.IsAsync || _types.IsAsyncReturnType(method.ReturnType))
                return false;
            var unknownTarget = method.IsAbstract || method.ContainingType.TypeKind == TypeKind.Interface
                || (method.IsVirtual || method.IsOverride) && !method.IsSealed && !method.ContainingType.IsSealed;
            return !unknownTarget;
        }

        private static IMethodSymbol? EnclosingSynchronousFunction(IOperation operation, ISymbol containingSymbol)
        {
            foreach (var current in operation.Ancestors())
            {
                if (current is ILocalFunctionOperation localFunction)
                    return localFunction.Symbol;
            }
            return containingSymbol as IMethodSymbol;
        }

        private static bool InsideSynchronousLambda(IOperation operation)
        {
            foreach (var current in operation.Ancestors())
            {
                switch (current)
                {
                    case IAnonymousFunctionOperation lambda:
                        return !lambda.Symbol.IsAsync;
                    case ILocalFunctionOperation:
                        return false;
                }
            }
            return false;
        }

        /// <summary>" through 'A.Load' -> 'B.Read'": the calls from the helper to the method that blocks; empty when the helper blocks itself.</summary>
        private static string Through(IMethodSymbol helper, Dictionary<IMethodSymbol, IMethodSymbol> nextTowardBlock)
        {
            var chain = new List<ISymbol>();
            for (var current = helper; nextTowardBlock.TryGetValue(current, out var next); current = next)
                chain.Add(next);
            return chain.Count == 0 ? string.Empty : " through " + SymbolNames.Chain(chain);
        }

        private static Block Earlier(Block a, Block b) => SourceOrder.Instance.Compare(a.Location, b.Location) <= 0 ? a : b;

        private static string Describe(Location location)
        {
            var span = location.GetLineSpan();
            return $"{Path.GetFileName(span.Path)} line {span.StartLinePosition.Line + 1}";
        }
    }
}
