using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Where the lock-order graph learned "something is taken while <see cref="Held"/> is held": an
/// acquisition nested in its region, or a call made in it (<see cref="Via"/>).
/// </summary>
internal sealed class LockOrderWitness
{
    public LockOrderWitness(LockIdentity held, Location location, ISymbol member, IMethodSymbol? via, bool isAdjacentNesting)
    {
        Held = held;
        Location = location;
        Member = member;
        Via = via;
        IsAdjacentNesting = isAdjacentNesting;
    }

    public LockIdentity Held { get; }
    public Location Location { get; }

    /// <summary>The member whose code holds the lock here.</summary>
    public ISymbol Member { get; }

    /// <summary>The called method the inner lock is taken in (directly or further down), for a call.</summary>
    public IMethodSymbol? Via { get; }

    /// <summary><c>lock (a) { lock (b) { ... } }</c> with nothing else in the outer body: the two can be swapped.</summary>
    public bool IsAdjacentNesting { get; }
}

/// <summary>What one method body contributes to the graph (collected by a walk of the body).</summary>
internal sealed class MethodLockFacts
{
    public MethodLockFacts(SyntaxNode body, IMethodSymbol owner)
    {
        FilePath = body.SyntaxTree.FilePath;
        Position = body.SpanStart;
        Owner = owner;
    }

    /// <summary>Where the body is: facts join the graph in this order, so messages do not vary between builds.</summary>
    public string FilePath { get; }
    public int Position { get; }

    /// <summary>The method the body belongs to; its local functions are the other callers in <see cref="Calls"/>.</summary>
    public IMethodSymbol Owner { get; }

    // Created on first use: most bodies only make calls, so they keep one list instead of four until compilation end.
    private List<IMethodSymbol>? _localFunctions;
    private List<(IMethodSymbol, LockIdentity)>? _acquires;
    private List<(IMethodSymbol, IMethodSymbol)>? _calls;
    private List<(LockIdentity, LockOrderWitness)>? _nested;
    private List<(IMethodSymbol, LockOrderWitness)>? _callsUnderLock;

    /// <summary>No lock taken and no call into source: nothing to add to the graph.</summary>
    public bool IsEmpty => _acquires is null && _calls is null && _nested is null && _callsUnderLock is null;

    /// <summary>Something happens here while a lock is held: only such bodies start a way out of a lock, so every inversion passes through one.</summary>
    public bool HoldsLocks => _nested is not null || _callsUnderLock is not null;

    public IReadOnlyList<IMethodSymbol> LocalFunctions => (IReadOnlyList<IMethodSymbol>?)_localFunctions ?? System.Array.Empty<IMethodSymbol>();
    public IReadOnlyList<(IMethodSymbol Function, LockIdentity Lock)> Acquires => (IReadOnlyList<(IMethodSymbol, LockIdentity)>?)_acquires ?? System.Array.Empty<(IMethodSymbol, LockIdentity)>();
    public IReadOnlyList<(IMethodSymbol Caller, IMethodSymbol Callee)> Calls => (IReadOnlyList<(IMethodSymbol, IMethodSymbol)>?)_calls ?? System.Array.Empty<(IMethodSymbol, IMethodSymbol)>();
    public IReadOnlyList<(LockIdentity Inner, LockOrderWitness Witness)> Nested => (IReadOnlyList<(LockIdentity, LockOrderWitness)>?)_nested ?? System.Array.Empty<(LockIdentity, LockOrderWitness)>();
    public IReadOnlyList<(IMethodSymbol Callee, LockOrderWitness Witness)> CallsUnderLock => (IReadOnlyList<(IMethodSymbol, LockOrderWitness)>?)_callsUnderLock ?? System.Array.Empty<(IMethodSymbol, LockOrderWitness)>();

    public void AddAcquire(IMethodSymbol function, LockIdentity taken)
    {
        NoteFunction(function);
        (_acquires ??= new()).Add((function, taken));
    }

    public void AddCall(IMethodSymbol caller, IMethodSymbol callee)
    {
        NoteFunction(caller);
        (_calls ??= new()).Add((caller, callee));
    }

    public void AddNested(LockIdentity inner, LockOrderWitness witness) => (_nested ??= new()).Add((inner, witness));
    public void AddCallUnderLock(IMethodSymbol callee, LockOrderWitness witness) => (_callsUnderLock ??= new()).Add((callee, witness));

    private void NoteFunction(IMethodSymbol function)
    {
        if (!SymbolEqualityComparer.Default.Equals(function, Owner) && !(_localFunctions?.Contains(function, SymbolEqualityComparer.Default) ?? false))
            (_localFunctions ??= new()).Add(function);
    }
}

/// <summary>A lock-order inversion found in the graph, reported at <see cref="Witness"/>.</summary>
internal sealed class LockOrderCycle
{
    public LockOrderCycle(LockIdentity inner, LockOrderWitness witness, IReadOnlyList<(LockIdentity Inner, LockOrderWitness Witness)> closingPath, int closingLength, bool offerSwap)
    {
        Inner = inner;
        Witness = witness;
        ClosingPath = closingPath;
        ClosingLength = closingLength;
        OfferSwap = offerSwap;
    }

    /// <summary>The lock taken at the witness while <c>Witness.Held</c> is held.</summary>
    public LockIdentity Inner { get; }
    public LockOrderWitness Witness { get; }

    /// <summary>The first edges leading from <see cref="Inner"/> back to the held lock, each with one witness.</summary>
    public IReadOnlyList<(LockIdentity Inner, LockOrderWitness Witness)> ClosingPath { get; }

    /// <summary>How many edges the way back has in all (<see cref="ClosingPath"/> keeps the first few).</summary>
    public int ClosingLength { get; }

    /// <summary>Swapping this adjacent nesting restores the order the rest of the code uses.</summary>
    public bool OfferSwap { get; }
}

/// <summary>
/// The lock-order graph of a set of method bodies. Its nodes are locks and methods; its edges are
/// "B is taken while A is held" (lock to lock), "M is called while A is held" (lock to method),
/// "M takes A" and "M calls N" (from methods). A path from lock A to lock B means B can be
/// requested while A is held, so a strongly connected component holding two locks is a possible
/// deadlock. Components come from one iterative Tarjan pass, linear in nodes plus edges; only the
/// (small) components with two or more locks are examined further.
/// </summary>
internal sealed class LockOrderGraph
{
    private readonly Dictionary<LockIdentity, int> _lockNodes = new();
    private readonly Dictionary<IMethodSymbol, int> _methodNodes = new(SymbolEqualityComparer.Default);
    private readonly List<LockIdentity?> _locks = new();
    private readonly List<IMethodSymbol?> _methods = new();
    private readonly List<List<int>> _edges = new();
    private readonly Dictionary<(int From, int To), List<LockOrderWitness>> _witnesses = new();
    private readonly HashSet<(int From, int To)> _edgeSet = new();

    /// <summary>A message names at most this many steps of a long cycle, and counts the rest.</summary>
    public const int MaxReportedSteps = 3;

    /// <summary>
    /// The graph of the bodies that can take part in an inversion; null when none can. Every cycle
    /// leaves a lock through a nested acquisition or a call made while holding it, so it runs only
    /// through bodies that hold a lock and the methods their locked calls reach. The rest, most of a
    /// program's calls, never enter the graph: the cycles and their witnesses stay the same, at a
    /// fraction of the nodes. A cycle needs two locks that each have something happen while they
    /// are held; with fewer, as in most types, <paramref name="cyclesOnly"/> builds no graph at all
    /// (a declared hierarchy is broken by a single nesting).
    /// </summary>
    public static LockOrderGraph? ForInversions(IEnumerable<MethodLockFacts> facts, bool cyclesOnly)
    {
        // Created on the first body that holds a lock: this runs at the end of every type, and most hold none.
        List<MethodLockFacts>? relevant = null;
        Queue<IMethodSymbol>? pending = null;
        LockIdentity? firstHeld = null;
        var twoLocksHeld = false;
        foreach (var methodFacts in facts)
        {
            if (!methodFacts.HoldsLocks)
                continue;
            (relevant ??= new()).Add(methodFacts);
            foreach (var (_, witness) in methodFacts.Nested)
                NoteHeld(witness.Held);
            foreach (var (callee, witness) in methodFacts.CallsUnderLock)
            {
                NoteHeld(witness.Held);
                (pending ??= new()).Enqueue(callee);
            }
        }
        if (relevant is null || cyclesOnly && !twoLocksHeld)
            return null;
        var reached = pending is not null ? AddReachedBodies(facts, relevant, pending) : null;

        var graph = new LockOrderGraph();
        // In a stable order (by where the body is), so messages do not vary between builds.
        foreach (var methodFacts in relevant.OrderBy(f => f.FilePath, System.StringComparer.Ordinal).ThenBy(f => f.Position))
            graph.Add(methodFacts, fromItsMethods: reached?.Contains(methodFacts) ?? false);
        return graph;

        void NoteHeld(LockIdentity held)
        {
            if (firstHeld is null)
                firstHeld = held;
            else if (!twoLocksHeld && !firstHeld.Equals(held))
                twoLocksHeld = true;
        }
    }

    /// <summary>
    /// Adds to <paramref name="relevant"/> the bodies of the methods reached by calls from
    /// <paramref name="pending"/> on, and returns every reached body (some hold locks themselves).
    /// </summary>
    private static HashSet<MethodLockFacts> AddReachedBodies(IEnumerable<MethodLockFacts> facts, List<MethodLockFacts> relevant, Queue<IMethodSymbol> pending)
    {
        var included = new HashSet<MethodLockFacts>(relevant);
        var reachedBodies = new HashSet<MethodLockFacts>();
        var bodies = new Dictionary<IMethodSymbol, MethodLockFacts>(facts is IReadOnlyCollection<MethodLockFacts> known ? known.Count : 0, SymbolEqualityComparer.Default);
        foreach (var methodFacts in facts)
        {
            Index(methodFacts.Owner, methodFacts);
            foreach (var function in methodFacts.LocalFunctions)
                Index(function, methodFacts);
        }

        var reached = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        while (pending.Count > 0)
        {
            var function = pending.Dequeue();
            if (!reached.Add(function) || !bodies.TryGetValue(function, out var body))
                continue;
            reachedBodies.Add(body);
            if (included.Add(body))
                relevant.Add(body);
            foreach (var (caller, callee) in body.Calls)
            {
                if (SymbolEqualityComparer.Default.Equals(caller, function))
                    pending.Enqueue(callee);
            }
        }
        return reachedBodies;

        void Index(IMethodSymbol function, MethodLockFacts body)
        {
            // Two bodies for one method (only in broken code): include the second outright; more real edges leave the cycles as they are.
            if (!bodies.ContainsKey(function))
            {
                bodies[function] = body;
                return;
            }
            reachedBodies.Add(body);
            if (included.Add(body))
                relevant.Add(body);
        }
    }

    /// <summary>
    /// The body's edges: those leaving its locks always, those leaving its methods (what they take
    /// and call) only if <paramref name="fromItsMethods"/>: a method no lock leads to is on no cycle.
    /// </summary>
    private void Add(MethodLockFacts facts, bool fromItsMethods)
    {
        if (fromItsMethods)
        {
            foreach (var (function, taken) in facts.Acquires)
                AddEdge(Method(function), Lock(taken), null);
            foreach (var (caller, callee) in facts.Calls)
                AddEdge(Method(caller), Method(callee), null);
        }
        foreach (var (inner, witness) in facts.Nested)
            AddEdge(Lock(witness.Held), Lock(inner), witness);
        foreach (var (callee, witness) in facts.CallsUnderLock)
            AddEdge(Lock(witness.Held), Method(callee), witness);
    }

    /// <summary>Every inversion, once per witness that takes part in a cycle.</summary>
    public List<LockOrderCycle> FindCycles()
    {
        var cycles = new List<LockOrderCycle>();
        foreach (var component in ComponentsWithTwoLocks())
            AddCycles(component, cycles);
        return cycles;
    }

    /// <summary>
    /// Acquisitions against a declared hierarchy: lock B (rank lower) taken while A (rank higher) is
    /// held, directly or through calls. One search per ranked lock.
    /// </summary>
    public List<(LockIdentity Inner, LockOrderWitness Witness)> FindHierarchyViolations(IReadOnlyDictionary<string, int> ranks)
    {
        var violations = new List<(LockIdentity, LockOrderWitness)>();
        if (ranks.Count == 0)
            return violations;
        for (var node = 0; node < _locks.Count; node++)
        {
            if (_locks[node] is not { } held || !ranks.TryGetValue(held.HierarchyName, out var heldRank))
                continue;
            foreach (var (inner, witness) in LockEdgesFrom(node))
            {
                if (_locks[inner] is { } taken && ranks.TryGetValue(taken.HierarchyName, out var takenRank) && takenRank < heldRank)
                    violations.Add((taken, witness));
            }
        }
        return violations;
    }

    /// <summary>
    /// For every edge leaving a lock of the component: the first other lock it leads to, and the
    /// shortest way from that lock back (a breadth-first search inside the component). The lock-level
    /// closure is never built: it is quadratic in long call chains.
    /// </summary>
    private void AddCycles(HashSet<int> component, List<LockOrderCycle> cycles)
    {
        foreach (var outer in component.Where(node => _locks[node] is not null).OrderBy(node => node))
        {
            foreach (var next in _edges[outer])
            {
                if (!component.Contains(next) || !_witnesses.TryGetValue((outer, next), out var witnesses))
                    continue;
                var inner = _locks[next] is not null ? next : NearestLock(next, outer, component);
                if (inner < 0 || inner == outer || ClosingPath(inner, outer, component) is not { } closing)
                    continue;
                var offerSwap = closing.Count == 1 && _locks[next] is not null && PrefersReverse(witnesses.Count, closing[0].Witnesses.Count, outer, inner);
                var steps = closing.Take(MaxReportedSteps).Select(step => (_locks[step.Inner]!, step.Witnesses[0])).ToList();
                foreach (var witness in witnesses)
                    cycles.Add(new LockOrderCycle(_locks[inner]!, witness, steps, closing.Count, offerSwap && witness.IsAdjacentNesting));
            }
        }
    }

    /// <summary>
    /// For a two-lock inversion, whether the order outer-then-inner is the one to change: it has
    /// fewer sites than the reverse; on a tie, the order by name decides, so Fix All changes one side only.
    /// </summary>
    private bool PrefersReverse(int forward, int backward, int outer, int inner)
    {
        if (forward != backward)
            return forward < backward;
        return string.CompareOrdinal(_locks[outer]!.HierarchyName, _locks[inner]!.HierarchyName) > 0;
    }

    /// <summary>The first lock other than <paramref name="held"/> that method <paramref name="method"/> reaches; -1 if none.</summary>
    private int NearestLock(int method, int held, HashSet<int> component)
    {
        var seen = new HashSet<int> { method, held };
        var queue = new Queue<int>();
        queue.Enqueue(method);
        while (queue.Count > 0)
        {
            foreach (var next in _edges[queue.Dequeue()])
            {
                if (!component.Contains(next) || !seen.Add(next))
                    continue;
                if (_locks[next] is not null)
                    return next;
                queue.Enqueue(next);
            }
        }
        return -1;
    }

    /// <summary>
    /// The shortest way from lock <paramref name="start"/> back to lock <paramref name="goal"/>, as
    /// lock-level steps: each lock reached, with the witnesses of the edge that left the previous lock.
    /// </summary>
    private List<(int Inner, List<LockOrderWitness> Witnesses)>? ClosingPath(int start, int goal, HashSet<int> component)
    {
        var previous = new Dictionary<int, int> { [start] = start };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0 && !previous.ContainsKey(goal))
        {
            var node = queue.Dequeue();
            foreach (var next in _edges[node])
            {
                if (!component.Contains(next) || previous.ContainsKey(next))
                    continue;
                previous[next] = node;
                if (next == goal)
                    break;
                queue.Enqueue(next);
            }
        }
        if (!previous.ContainsKey(goal))
            return null;

        var nodes = new List<int>();
        for (var current = goal; current != start; current = previous[current])
            nodes.Add(current);
        nodes.Add(start);
        nodes.Reverse();

        var steps = new List<(int, List<LockOrderWitness>)>();
        List<LockOrderWitness>? leaving = null;
        for (var i = 1; i < nodes.Count; i++)
        {
            if (leaving is null && !_witnesses.TryGetValue((nodes[i - 1], nodes[i]), out leaving))
                return null;
            if (_locks[nodes[i]] is null)
                continue;
            steps.Add((nodes[i], leaving));
            leaving = null;
        }
        return steps;
    }

    /// <summary>
    /// The calls by which <paramref name="witness"/>'s call reaches <paramref name="taken"/>: its callee first, then
    /// each method called on the shortest way to the one that takes the lock. Empty when the witness takes it itself.
    /// Asked only for reported cycles, so the search costs nothing on code without inversions.
    /// </summary>
    public IReadOnlyList<IMethodSymbol> CallChain(LockOrderWitness witness, LockIdentity taken)
    {
        if (witness.Via is not { } callee || !_methodNodes.TryGetValue(callee, out var start) || !_lockNodes.TryGetValue(taken, out var goal))
            return System.Array.Empty<IMethodSymbol>();
        var previous = new Dictionary<int, int> { [start] = start };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var method = queue.Dequeue();
            if (_edgeSet.Contains((method, goal)))
            {
                var chain = new List<IMethodSymbol>();
                for (var current = method; ; current = previous[current])
                {
                    chain.Add(_methods[current]!);
                    if (current == start)
                        break;
                }
                chain.Reverse();
                return chain;
            }
            foreach (var next in _edges[method])
            {
                if (_methods[next] is not null && !previous.ContainsKey(next))
                {
                    previous[next] = method;
                    queue.Enqueue(next);
                }
            }
        }
        // Reached only through another lock's section: name the first call, as before the search.
        return new[] { callee };
    }

    /// <summary>The locks reachable from lock <paramref name="from"/> without passing another lock, with the first step's witnesses.</summary>
    private IEnumerable<(int Inner, LockOrderWitness Witness)> LockEdgesFrom(int from)
    {
        foreach (var next in _edges[from])
        {
            var witnesses = _witnesses.TryGetValue((from, next), out var found) ? found : null;
            if (witnesses is null)
                continue;
            if (_locks[next] is not null)
            {
                if (next != from)
                {
                    foreach (var witness in witnesses)
                        yield return (next, witness);
                }
                continue;
            }
            foreach (var reached in LocksTakenBy(next))
            {
                if (reached == from)
                    continue;
                foreach (var witness in witnesses)
                    yield return (reached, witness);
            }
        }
    }

    /// <summary>The locks a method takes, itself or through the methods it calls.</summary>
    private IEnumerable<int> LocksTakenBy(int method)
    {
        var seen = new HashSet<int> { method };
        var queue = new Queue<int>();
        queue.Enqueue(method);
        while (queue.Count > 0)
        {
            foreach (var next in _edges[queue.Dequeue()])
            {
                if (!seen.Add(next))
                    continue;
                if (_locks[next] is not null)
                    yield return next;
                else
                    queue.Enqueue(next);
            }
        }
    }

    /// <summary>
    /// The strongly connected components that hold two locks or more, by Tarjan's algorithm without
    /// recursion (deep call chains must not overflow the stack). The others, nearly every node of a
    /// program's graph on its own, are never copied out.
    /// </summary>
    private List<HashSet<int>> ComponentsWithTwoLocks()
    {
        var count = _edges.Count;
        var index = new int[count];
        var low = new int[count];
        var onStack = new bool[count];
        for (var i = 0; i < count; i++)
            index[i] = -1;
        var stack = new Stack<int>();
        var components = new List<HashSet<int>>();
        var members = new List<int>();
        var work = new Stack<(int Node, int NextEdge)>();
        var nextIndex = 0;

        for (var root = 0; root < count; root++)
        {
            if (index[root] >= 0)
                continue;
            work.Push((root, 0));
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                if (edge == 0)
                {
                    index[node] = low[node] = nextIndex++;
                    stack.Push(node);
                    onStack[node] = true;
                }
                else
                {
                    var child = _edges[node][edge - 1];
                    low[node] = System.Math.Min(low[node], low[child]);
                }

                var descended = false;
                for (; edge < _edges[node].Count; edge++)
                {
                    var next = _edges[node][edge];
                    if (index[next] < 0)
                    {
                        work.Push((node, edge + 1));
                        work.Push((next, 0));
                        descended = true;
                        break;
                    }
                    if (onStack[next])
                        low[node] = System.Math.Min(low[node], index[next]);
                }
                if (descended || low[node] != index[node])
                    continue;

                members.Clear();
                var locks = 0;
                int member;
                do
                {
                    member = stack.Pop();
                    onStack[member] = false;
                    members.Add(member);
                    if (_locks[member] is not null)
                        locks++;
                }
                while (member != node);
                if (locks >= 2)
                    components.Add(new HashSet<int>(members));
            }
        }
        return components;
    }

    private int Lock(LockIdentity identity)
    {
        if (!_lockNodes.TryGetValue(identity, out var node))
        {
            _lockNodes[identity] = node = NewNode(identity, null);
        }
        return node;
    }

    private int Method(IMethodSymbol method)
    {
        if (!_methodNodes.TryGetValue(method, out var node))
        {
            _methodNodes[method] = node = NewNode(null, method);
        }
        return node;
    }

    private int NewNode(LockIdentity? identity, IMethodSymbol? method)
    {
        _locks.Add(identity);
        _methods.Add(method);
        _edges.Add(new List<int>());
        return _locks.Count - 1;
    }

    private void AddEdge(int from, int to, LockOrderWitness? witness)
    {
        if (_edgeSet.Add((from, to)))
            _edges[from].Add(to);
        if (witness is null)
            return;
        if (!_witnesses.TryGetValue((from, to), out var list))
            _witnesses[(from, to)] = list = new List<LockOrderWitness>();
        list.Add(witness);
    }
}
