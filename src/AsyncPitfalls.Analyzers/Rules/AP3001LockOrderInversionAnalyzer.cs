using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3001: two code paths take the same locks in opposite orders (a cycle in the lock-order
/// graph), so two threads can each hold one lock and wait forever for the other.
/// </summary>
/// <remarks>
/// Each method body contributes the locks it takes, the locks it takes while holding others, and
/// the calls it makes (also while holding a lock); <see cref="LockOrderGraph"/> joins them. Cycles
/// within one type are solved at the type's symbol end, so the IDE shows them live; cycles that
/// cross types need the whole compilation and are reported at compilation end, in builds.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LockOrderInversionAnalyzer : DiagnosticAnalyzer
{
    internal const string SwapProperty = "AP3001.Swap";
    private static readonly char[] HierarchySeparators = { '>', ',' };

    private const string Title = "Locks are taken in inconsistent order";
    private const string Message = "Lock order inversion: {0} is taken{1} while holding {2} here, but {3}";
    private const string Description = "Two code paths take the same locks in opposite orders. When they run at the same time, each "
        + "can hold one lock while waiting for the other, and both wait forever. Take the locks in one global order everywhere "
        + "(or declare the order in .editorconfig with dotnet_code_quality.AP3001.lock_hierarchy).";

    /// <summary>Cycles within one type: reported live, per document.</summary>
    internal static readonly DiagnosticDescriptor Rule = new(
        DiagnosticIds.LockOrderInversion, Title, Message, RuleCategories.Locking, DiagnosticSeverity.Info,
        isEnabledByDefault: true, description: Description, helpLinkUri: HelpLinks.For(DiagnosticIds.LockOrderInversion));

    /// <summary>Cycles across types and declared-hierarchy violations: need the whole compilation.</summary>
    internal static readonly DiagnosticDescriptor CompilationRule = new(
        DiagnosticIds.LockOrderInversion, Title, Message, RuleCategories.Locking, DiagnosticSeverity.Info,
        isEnabledByDefault: true, description: Description, helpLinkUri: HelpLinks.For(DiagnosticIds.LockOrderInversion),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, CompilationRule);

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.LockOrderInversion);
            var ranks = OptionCatalog.LockHierarchy.ReadForProject(start.Options, start.Compilation, DiagnosticIds.LockOrderInversion);
            // Queues, not ConcurrentBag: a bag per type costs a ThreadLocal each, and creating many of those
            // grows superlinearly (measured: x2 per line from 50k to 400k lines).
            var allFacts = new ConcurrentQueue<MethodLockFacts>();
            var reportedLive = new ConcurrentDictionary<Location, bool>();
            // Per type: its own bodies' facts, for the live check at its end; null for a type whose text names no
            // acquisition. Such a type takes no lock in its own code, so it has no cycle of its own, and its end is
            // not registered: a symbol end makes the driver track every member of the type, which cost more than
            // this rule's own work (measured: 10 MB of 18 MB allocated over 50k lines, with every type's end registered).
            var ownFacts = new ConcurrentDictionary<INamedTypeSymbol, TypeLockFacts?>(SymbolEqualityComparer.Default);
            Func<INamedTypeSymbol, TypeLockFacts?> mayHaveOwnCycle = type => MayTakeLocks(type, primitives) ? new TypeLockFacts() : null;

            start.RegisterOperationBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method)
                    return;
                var collector = new LockOrderFacts(primitives, block.OperationBlocks[0].Syntax, method);
                foreach (var body in block.OperationBlocks)
                    collector.Walk(body, method);
                if (collector.Facts.IsEmpty)
                    return;
                allFacts.Enqueue(collector.Facts);
                ownFacts.GetOrAdd(method.ContainingType, mayHaveOwnCycle)?.Add(collector.Facts);
            });

            start.RegisterSymbolStartAction(symbolStart =>
            {
                if (ownFacts.GetOrAdd((INamedTypeSymbol)symbolStart.Symbol, mayHaveOwnCycle) is not { } typeFacts)
                    return;
                symbolStart.RegisterSymbolEndAction(end =>
                {
                    // Symbol end runs after every body of the type.
                    if (LockOrderGraph.ForInversions(typeFacts.Facts, cyclesOnly: true) is not { } graph)
                        return;
                    foreach (var cycle in graph.FindCycles())
                    {
                        if (reportedLive.TryAdd(cycle.Witness.Location, true))
                            end.Report(Create(Rule, cycle, graph));
                    }
                });
            }, SymbolKind.NamedType);

            start.RegisterCompilationEndAction(end =>
            {
                if (LockOrderGraph.ForInversions(allFacts, cyclesOnly: ranks.Count == 0) is not { } graph)
                    return;
                var reported = new HashSet<Location>(reportedLive.Keys);
                foreach (var cycle in graph.FindCycles())
                {
                    if (reported.Add(cycle.Witness.Location))
                        end.Report(Create(CompilationRule, cycle, graph));
                }
                foreach (var (inner, witness) in graph.FindHierarchyViolations(ranks))
                {
                    if (reported.Add(witness.Location))
                    {
                        end.Report(Diagnostic.Create(CompilationRule, witness.Location,
                            inner.Describe(witness.Member.ContainingType), Via(witness, inner, graph), witness.Held.Describe(witness.Member.ContainingType),
                            $"the declared lock hierarchy takes {inner.Describe(witness.Member.ContainingType)} first"));
                    }
                }
            });
        });
    }

    private static Diagnostic Create(DiagnosticDescriptor descriptor, LockOrderCycle cycle, LockOrderGraph graph)
    {
        var witness = cycle.Witness;
        var site = witness.Member.ContainingType;
        var closing = string.Join(", and ", cycle.ClosingPath.Select(edge =>
            $"{edge.Inner.Describe(site)} is taken{Via(edge.Witness, edge.Inner, graph)} while holding {edge.Witness.Held.Describe(site)} in '{SymbolNames.Qualified(edge.Witness.Member)}' ({Where(edge.Witness.Location)})"));
        if (cycle.ClosingLength > cycle.ClosingPath.Count)
            closing += $", and {cycle.ClosingLength - cycle.ClosingPath.Count} more nested acquisitions lead back to {witness.Held.Describe(site)}";
        var properties = cycle.OfferSwap ? ImmutableDictionary<string, string?>.Empty.Add(SwapProperty, "true") : ImmutableDictionary<string, string?>.Empty;
        return Diagnostic.Create(descriptor, witness.Location, cycle.ClosingPath.Select(edge => edge.Witness.Location), properties,
            cycle.Inner.Describe(site), Via(witness, cycle.Inner, graph), witness.Held.Describe(site), closing);
    }

    /// <summary>" (through 'A.Load' -> 'B.Take')": the calls that reach the lock; empty when it is taken right there.</summary>
    private static string Via(LockOrderWitness witness, LockIdentity taken, LockOrderGraph graph)
        => graph.CallChain(witness, taken) is { Count: > 0 } chain ? $" (through {SymbolNames.Chain(chain)})" : string.Empty;

    private static string Where(Location location)
    {
        var span = location.GetLineSpan();
        return $"{Path.GetFileName(span.Path)} line {span.StartLinePosition.Line + 1}";
    }

    /// <summary>Whether the type's text (every part of it) names an acquisition: the lock keyword, Enter, Wait, an async lock method.</summary>
    private static bool MayTakeLocks(INamedTypeSymbol type, LockPrimitives primitives)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (SourceWords.MayMention(reference.SyntaxTree, reference.Span, primitives.AcquisitionWords))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The facts of one type's bodies, pushed without a lock: a concurrent collection per type costs several
    /// times the memory of the few facts it holds, and under a lock the type's bodies waited for each other
    /// whenever a collection paused the holder (measured on 1M lines: a quarter of the time of the body callbacks).
    /// </summary>
    private sealed class TypeLockFacts
    {
        private ImmutableStack<MethodLockFacts> _facts = ImmutableStack<MethodLockFacts>.Empty;

        public ImmutableStack<MethodLockFacts> Facts => Volatile.Read(ref _facts);

        public void Add(MethodLockFacts facts) => ImmutableInterlocked.Push(ref _facts, facts);
    }

    /// <summary>"Bank._accounts > Bank._audit > Log._sync" (or commas): earlier locks are taken first.</summary>
    internal static IReadOnlyDictionary<string, int> ParseHierarchy(string? text)
    {
        var ranks = new Dictionary<string, int>(System.StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
            return ranks;
        foreach (var name in text!.Split(HierarchySeparators, System.StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim()).Where(n => n.Length > 0))
        {
            if (!ranks.ContainsKey(name))
                ranks[name] = ranks.Count;
        }
        return ranks;
    }

    /// <summary>Collects one method body's contribution to the lock-order graph.</summary>
    private sealed class LockOrderFacts : HeldLockWalker
    {
        private readonly IAssemblySymbol _compiledAssembly;

        public LockOrderFacts(LockPrimitives primitives, SyntaxNode body, IMethodSymbol method)
            : base(primitives)
        {
            Facts = new MethodLockFacts(body, Normalize(method));
            _compiledAssembly = primitives.Types.Compilation.Assembly;
        }

        public MethodLockFacts Facts { get; }

        protected override void OnAcquire(LockAcquisition acquisition, HeldLock? held)
        {
            if (acquisition.Identity is not { } taken || CurrentMember is null)
                return;
            if (CurrentFunction is { } function)
                Facts.AddAcquire(Normalize(function), taken);
            // With nothing held there is no order; a timed try-acquire gives up instead of waiting
            // forever, so it cannot close a deadlock.
            if (held is null || acquisition.IsConditional)
                return;
            foreach (var outer in DistinctHeld(held, taken))
            {
                var adjacent = ReferenceEquals(outer, held.Acquisition) && IsAdjacentNesting(outer.Operation, acquisition.Operation);
                Facts.AddNested(taken, new LockOrderWitness(outer.Identity!, acquisition.Location, CurrentMember, via: null, adjacent));
            }
        }

        protected override void OnCall(IOperation call, IMethodSymbol callee, HeldLock? held)
        {
            // new Connector(options).SendCancel(): the locks it takes are the new object's, which no other thread
            // can hold yet. Locks are told apart by field, not by object, so following it would pair them with this one's.
            if (!HasSourceBody(callee, _compiledAssembly) || CurrentMember is null || call is IInvocationOperation { Instance: IObjectCreationOperation })
                return;
            callee = Normalize(callee);
            if (CurrentFunction is { } function)
                Facts.AddCall(Normalize(function), callee);
            if (held is null)
                return;
            foreach (var outer in DistinctHeld(held, null))
                Facts.AddCallUnderLock(callee, new LockOrderWitness(outer.Identity!, call.Syntax.GetLocation(), CurrentMember, callee, isAdjacentNesting: false));
        }

        /// <summary>The held acquisitions with an identity, each lock once, except <paramref name="taking"/> (re-entry is no order).</summary>
        private static IEnumerable<LockAcquisition> DistinctHeld(HeldLock held, LockIdentity? taking)
        {
            var seen = new HashSet<LockIdentity>();
            foreach (var acquisition in HeldLock.Enumerate(held))
            {
                if (acquisition.Identity is { } identity && !identity.Equals(taking) && seen.Add(identity))
                    yield return acquisition;
            }
        }

        private static bool IsAdjacentNesting(IOperation outer, IOperation inner)
            => outer is ILockOperation { Body: var body } && inner is ILockOperation
                && (ReferenceEquals(body, inner) || body is IBlockOperation { Operations.Length: 1 } block && ReferenceEquals(block.Operations[0], inner));

        /// <remarks>Asks the containing assembly, not the locations: those can be a new array on every call, and this runs for every call in the program.</remarks>
        private static bool HasSourceBody(IMethodSymbol method, IAssemblySymbol compiled)
            => !method.IsAbstract && !method.IsExtern && !method.IsImplicitlyDeclared
                && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, compiled);

        private static IMethodSymbol Normalize(IMethodSymbol method)
        {
            var definition = (method.ReducedFrom ?? method).OriginalDefinition;
            return definition.PartialDefinitionPart ?? definition;
        }
    }
}
