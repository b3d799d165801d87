using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The well-known types of one compilation, resolved once per compilation and shared by every
/// analyzer and callback of that compilation, with the caches built on them (awaitables, counterpart
/// searches, method bodies). A missing type is null: the analyzers that need it register nothing.
/// </summary>
internal sealed class KnownTypes
{
    /// <summary>
    /// One set per compilation for all analyzers: each would otherwise resolve the same types again,
    /// and AP1003 and AP1004 would repeat each other's counterpart searches for the same calls.
    /// The table holds the compilation weakly, so an edit's new compilation gets a new set.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, KnownTypes> s_byCompilation = new();

    private readonly ConcurrentDictionary<ITypeSymbol, bool> _awaitableCache = new(SymbolEqualityComparer.Default);

    // Created once: a lambda written at the call site would allocate on every call, and the
    // awaitable question is asked for nearly every invocation the rules see.
    private readonly System.Func<ITypeSymbol, bool> _hasAwaiterPattern;

    private KnownTypes(Compilation compilation)
    {
        Compilation = compilation;
        _hasAwaiterPattern = type => Awaitables.HasAwaiterPattern(this, type, model: null, position: 0);
        Task = compilation.GetBestType("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetBestType("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetBestType("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetBestType("System.Threading.Tasks.ValueTask`1");
        IAsyncEnumerableOfT = compilation.GetBestType("System.Collections.Generic.IAsyncEnumerable`1");
        IAsyncEnumeratorOfT = compilation.GetBestType("System.Collections.Generic.IAsyncEnumerator`1");
        AsyncMethodBuilderAttribute = compilation.GetBestType("System.Runtime.CompilerServices.AsyncMethodBuilderAttribute");
        INotifyCompletion = compilation.GetBestType("System.Runtime.CompilerServices.INotifyCompletion");
        Thread = compilation.GetBestType("System.Threading.Thread");
        CancellationToken = compilation.GetBestType("System.Threading.CancellationToken");
        CancellationTokenSource = compilation.GetBestType("System.Threading.CancellationTokenSource");
        ObsoleteAttribute = compilation.GetBestType("System.ObsoleteAttribute");
        TaskStatus = compilation.GetBestType("System.Threading.Tasks.TaskStatus");
        Console = compilation.GetBestType("System.Console");
        EventArgs = compilation.GetBestType("System.EventArgs");
        OperationCanceledException = compilation.GetBestType("System.OperationCanceledException");
        TaskCanceledException = compilation.GetBestType("System.Threading.Tasks.TaskCanceledException");
        Exception = compilation.GetBestType("System.Exception");
        TimeoutException = compilation.GetBestType("System.TimeoutException");
        TimeSpan = compilation.GetBestType("System.TimeSpan");
        HttpClient = compilation.GetBestType("System.Net.Http.HttpClient");
        HttpMessageHandler = compilation.GetBestType("System.Net.Http.HttpMessageHandler");
        HttpResponseMessage = compilation.GetBestType("System.Net.Http.HttpResponseMessage");
        IDisposable = compilation.GetBestType("System.IDisposable");
        IAsyncDisposable = compilation.GetBestType("System.IAsyncDisposable");
        Parallel = compilation.GetBestType("System.Threading.Tasks.Parallel");
        TaskFactory = compilation.GetBestType("System.Threading.Tasks.TaskFactory");
        TaskFactoryOfT = compilation.GetBestType("System.Threading.Tasks.TaskFactory`1");
        ListOfT = compilation.GetBestType("System.Collections.Generic.List`1");
        IEnumerableOfT = compilation.GetBestType("System.Collections.Generic.IEnumerable`1");
        AwaiterTypes = new[]
        {
            compilation.GetBestType("System.Runtime.CompilerServices.TaskAwaiter"),
            compilation.GetBestType("System.Runtime.CompilerServices.TaskAwaiter`1"),
            compilation.GetBestType("System.Runtime.CompilerServices.ValueTaskAwaiter`1"),
            compilation.GetBestType("System.Runtime.CompilerServices.ConfiguredTaskAwaitable+ConfiguredTaskAwaiter"),
            compilation.GetBestType("System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1+ConfiguredTaskAwaiter"),
            compilation.GetBestType("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable+ConfiguredValueTaskAwaiter"),
            compilation.GetBestType("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1+ConfiguredValueTaskAwaiter"),
        }.Where(t => t is not null).Select(t => t!).ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        Bodies = new MethodBodies();
        Counterparts = new AsyncCounterparts(this, Bodies, compilation);
    }

    public Compilation Compilation { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? TaskOfT { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }
    public INamedTypeSymbol? IAsyncEnumerableOfT { get; }
    public INamedTypeSymbol? IAsyncEnumeratorOfT { get; }
    public INamedTypeSymbol? AsyncMethodBuilderAttribute { get; }
    public INamedTypeSymbol? INotifyCompletion { get; }
    public INamedTypeSymbol? Thread { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? CancellationTokenSource { get; }
    public INamedTypeSymbol? ObsoleteAttribute { get; }
    public INamedTypeSymbol? TaskStatus { get; }
    public INamedTypeSymbol? Console { get; }
    public INamedTypeSymbol? EventArgs { get; }
    public INamedTypeSymbol? OperationCanceledException { get; }
    public INamedTypeSymbol? TaskCanceledException { get; }
    public INamedTypeSymbol? Exception { get; }
    public INamedTypeSymbol? TimeoutException { get; }
    public INamedTypeSymbol? TimeSpan { get; }
    public INamedTypeSymbol? HttpClient { get; }
    public INamedTypeSymbol? HttpMessageHandler { get; }
    public INamedTypeSymbol? HttpResponseMessage { get; }
    public INamedTypeSymbol? IDisposable { get; }
    public INamedTypeSymbol? IAsyncDisposable { get; }

    /// <summary>The type or one of its base types is <paramref name="baseType"/>.</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        for (var current = type; current is not null && baseType is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
                return true;
        }
        return false;
    }

    /// <summary>The symbol carries an attribute of class <paramref name="attributeClass"/> (false when that class is missing).</summary>
    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null)
            return false;
        foreach (var attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeClass))
                return true;
        }
        return false;
    }

    public INamedTypeSymbol? Parallel { get; }
    public INamedTypeSymbol? TaskFactory { get; }
    public INamedTypeSymbol? TaskFactoryOfT { get; }
    public INamedTypeSymbol? ListOfT { get; }
    public INamedTypeSymbol? IEnumerableOfT { get; }

    /// <summary>The awaiters whose <c>GetResult()</c> blocks when called before completion.</summary>
    public ImmutableHashSet<INamedTypeSymbol> AwaiterTypes { get; }

    /// <summary>What source method bodies mention (bridge checks), cached per compilation.</summary>
    public MethodBodies Bodies { get; }

    /// <summary>The NameAsync counterpart search, with its per-compilation caches.</summary>
    public AsyncCounterparts Counterparts { get; }

    /// <summary>The compilation's set, created by the first analyzer to ask; false when even <c>Task</c> is missing (no async code can exist).</summary>
    public static bool TryCreate(Compilation compilation, out KnownTypes types)
    {
        types = s_byCompilation.GetValue(compilation, static c => new KnownTypes(c));
        return types.Task is not null;
    }

    /// <summary>Whether the type has an instance GetAwaiter() following the await pattern, cached per compilation.</summary>
    internal bool HasAwaiterPatternCached(ITypeSymbol type) => _awaitableCache.GetOrAdd(type, _hasAwaiterPattern);
}
