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
/// question that builds the function's control-flow graph, and a call blocks if it has a NameAsync
/// counterpart, a question that looks up the extension methods in scope: both are asked at compilation end,
/// only in the methods async code reaches. Virtual, abstract and interface calls have unknown targets
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
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
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
    /// A call in a synchronous function that blocks if the counterpart search finds its NameAsync there, and otherwise is
    /// a call to follow when <see cref="Callee"/> is known. Kept without the operation tree, and asked only if async code
    /// reaches the function (most synchronous code it does not).
    /// </summary>
    private sealed class PossibleBlock
    {
        public PossibleBlock(IMethodSymbol function, IMethodSymbol? callee, CounterpartQuestion question, SyntaxNode call)
        {
            Function = function;
            Callee = callee;
            Question = question;
            Tree = call.SyntaxTree;
            Span = call.Span;
        }

        public IMethodSymbol Function { get; }

        /// <summary>The method of this compilation called, followed like any call when the call does not block.</summary>
        public IMethodSymbol? Callee { get; }

        public CounterpartQuestion Question { get; }
        public SyntaxTree Tree { get; }
        public TextSpan Span { get; }
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
        private readonly AsyncCounterparts _counterparts;
        private readonly ConcurrentDictionary<IMethodSymbol, Block> _directBlocks = new(SymbolEqualityComparer.Default);
        // Plain queues, grouped at compilation end: a ConcurrentBag per callee costs a ThreadLocal each,
        // and creating many of those grows superlinearly.
        private readonly ConcurrentQueue<(IMethodSymbol Callee, IMethodSymbol Caller)> _calls = new();
        private readonly ConcurrentQueue<AsyncCall> _asyncCalls = new();
        private readonly ConcurrentQueue<Wait> _waits = new();
        private readonly ConcurrentQueue<PossibleBlock> _possibleBlocks = new();

        public CallGraph(KnownTypes types, Compilation compilation, AnalyzerOptions options)
        {
            _types = types;
            _compilation = compilation;
            _exclusions = AsyncCounterpartAnalyzer.ExclusionsPerFile(options, DiagnosticIds.TransitiveBlocking);
            _counterparts = AsyncCounterparts.For(types);
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

            var invocation = operation as IInvocationOperation;
            var callee = invocation is not null && IsFollowable(invocation.TargetMethod) ? invocation.TargetMethod.OriginalDefinition : null;
            if (TaskWaits.TryGet(operation, _types, out var wait))
            {
                var block = new Block(wait.Describe(), operation.Syntax.GetLocation());
                if (wait.Task is not null)
                    _waits.Enqueue(new Wait(function, block, callee, wait.Task, operation, context.GetControlFlowGraph));
                else
                    AddBlock(_directBlocks, function, block); // Task.WaitAll and WaitAny: several tasks, none known complete here.
            }
            else if (invocation is null)
            {
                return;
            }
            else if (BlockingOperations.IsThreadSleep(invocation, _types))
            {
                AddBlock(_directBlocks, function, new Block("'Thread.Sleep'", operation.Syntax.GetLocation()));
            }
            else if (SyncApiCalls.TryGetQuestion(invocation, _types, exclusions, out var question) && !SyncApiCalls.OnlyTouchesMemory(invocation, _types, exclusions))
            {
                // Blocks if the counterpart search finds a NameAsync here. That search costs a lookup of the extension
                // methods in scope, and most synchronous code is not reached from async code: asked at compilation end.
                _possibleBlocks.Enqueue(new PossibleBlock(function, callee, question, invocation.Syntax));
            }
            else if (callee is not null)
            {
                _calls.Enqueue((callee, function));
            }
        }

        private static void AddBlock(ConcurrentDictionary<IMethodSymbol, Block> blocks, IMethodSymbol function, Block block)
            => blocks.AddOrUpdate(function, block, (_, existing) => Earlier(existing, block));

        public void Report(CompilationAnalysisContext context)
        {
            if (_asyncCalls.IsEmpty || _directBlocks.IsEmpty && _waits.IsEmpty && _possibleBlocks.IsEmpty)
                return;

            var callersOf = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (var (callee, caller) in _calls)
                AddEdge(callersOf, callee, caller);
            if (!_waits.IsEmpty || !_possibleBlocks.IsEmpty)
            {
                var reached = ReachedFromAsyncCode();
                ResolveWaits(reached, callersOf, context.CancellationToken);
                ResolvePossibleBlocks(reached, callersOf, context.CancellationToken);
            }

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
                context.Report(Diagnostic.Create(Rule, Location.Create(call.Tree, call.Span), new[] { block.Location },
                    SymbolNames.ForMessage(call.Callee), block.Description, Describe(block.Location), Through(call.Callee, nextTowardBlock), call.Caller.Describe()));
            }
        }

        /// <summary>
        /// The methods async code reaches, through every call that could be followed (the call of a wait or of a possible
        /// block included, as it may turn out not to block). Only their waits and possible blocks can change a report: a
        /// method that async code does not reach is no witness and no link of any chain that the report walks, and one
        /// reached only through a call that blocks adds nothing to what that call already says.
        /// </summary>
        private HashSet<IMethodSymbol> ReachedFromAsyncCode()
        {
            var calleesOf = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (var (callee, caller) in _calls)
                AddEdge(calleesOf, caller, callee);
            foreach (var wait in _waits)
            {
                if (wait.Callee is not null)
                    AddEdge(calleesOf, wait.Function, wait.Callee);
            }
            foreach (var possible in _possibleBlocks)
            {
                if (possible.Callee is not null)
                    AddEdge(calleesOf, possible.Function, possible.Callee);
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
            return reached;
        }

        /// <summary>The waits of the reached methods become blocks or, on a task known to be complete, calls.</summary>
        private void ResolveWaits(HashSet<IMethodSymbol> reached, Dictionary<IMethodSymbol, List<IMethodSymbol>> callersOf, System.Threading.CancellationToken cancellationToken)
        {
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

        /// <summary>
        /// The possible blocks of the reached methods become blocks where the counterpart search finds a NameAsync, and
        /// calls where it does not. The search's extension lookups need the file's semantic model: one per file, from the
        /// compilation.
        /// </summary>
        private void ResolvePossibleBlocks(HashSet<IMethodSymbol> reached, Dictionary<IMethodSymbol, List<IMethodSymbol>> callersOf, System.Threading.CancellationToken cancellationToken)
        {
            var models = new Dictionary<SyntaxTree, SemanticModel>();
            foreach (var possible in _possibleBlocks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!reached.Contains(possible.Function))
                    continue;
                if (!models.TryGetValue(possible.Tree, out var model))
                {
                    // Asked for the few files whose reached calls need it, after the driver is done with them (RS1030 is about
                    // models asked for per callback instead of the driver's).
#pragma warning disable RS1030
                    models[possible.Tree] = model = _compilation.GetSemanticModel(possible.Tree);
#pragma warning restore RS1030
                }
                if (possible.Question.Ask(_counterparts, model, possible.Function) is not null)
                    AddBlock(_directBlocks, possible.Function, new Block($"'{SymbolNames.Qualified(possible.Question.Method)}'", Location.Create(possible.Tree, possible.Span)));
                else if (possible.Callee is not null)
                    AddEdge(callersOf, possible.Callee, possible.Function);
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
        /// takes: most calls and property reads are neither. The counterpart screen answers from the search's caches for
        /// any enclosing member and file, so a "no" here is the answer of every later question.
        /// </summary>
        private bool MayMatter(IOperation operation, SymbolNameList exclusions)
            => operation is IInvocationOperation call
                ? IsFollowable(call.TargetMethod) || TaskWaits.TryGet(call, _types, out _) || BlockingOperations.IsThreadSleep(call, _types)
                    || SyncApiCalls.MayHaveCounterpart(call, _types, exclusions)
                : TaskWaits.TryGet(operation, _types, out _);

        /// <summary>A synchronous method of this compilation whose target is known at the call.</summary>
        /// <remarks>Asked of nearly every call: the symbol's flags first, then the walk up to its assembly, then its syntax.</remarks>
        private bool IsFollowable(IMethodSymbol method)
        {
            if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction) || method.IsAsync)
                return false;
            var unknownTarget = method.IsAbstract || method.ContainingType.TypeKind == TypeKind.Interface
                || (method.IsVirtual || method.IsOverride) && !method.IsSealed && !method.ContainingType.IsSealed;
            return !unknownTarget
                && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _compilation.Assembly)
                && !method.DeclaringSyntaxReferences.IsEmpty
                && !_types.IsAsyncReturnType(method.ReturnType);
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
