using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The well-known types of one compilation, resolved once per compilation and shared by every
/// analyzer and callback of that compilation. Only the table: the answers computed from it are kept
/// by the helpers that compute them, per compilation. A missing type is null: the analyzers that need it register nothing.
/// </summary>
internal sealed class KnownTypes
{
    /// <summary>
    /// One set per compilation for all analyzers: each would otherwise resolve the same types again.
    /// The table holds the compilation weakly, so an edit's new compilation gets a new set.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, KnownTypes> s_byCompilation = new();

    private KnownTypes(Compilation compilation)
    {
        Compilation = compilation;
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
        DoesNotReturnAttribute = compilation.GetBestType("System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute");
        TaskStatus = compilation.GetBestType("System.Threading.Tasks.TaskStatus");
        Console = compilation.GetBestType("System.Console");
        EventArgs = compilation.GetBestType("System.EventArgs");
        OperationCanceledException = compilation.GetBestType("System.OperationCanceledException");
        TaskCanceledException = compilation.GetBestType("System.Threading.Tasks.TaskCanceledException");
        Exception = compilation.GetBestType("System.Exception");
        HttpClient = compilation.GetBestType("System.Net.Http.HttpClient");
        HttpResponseMessage = compilation.GetBestType("System.Net.Http.HttpResponseMessage");
        IAsyncDisposable = compilation.GetBestType("System.IAsyncDisposable");
        Parallel = compilation.GetBestType("System.Threading.Tasks.Parallel");
        TaskFactory = compilation.GetBestType("System.Threading.Tasks.TaskFactory");
        TaskFactoryOfT = compilation.GetBestType("System.Threading.Tasks.TaskFactory`1");
        ListOfT = compilation.GetBestType("System.Collections.Generic.List`1");
        IEnumerableOfT = compilation.GetBestType("System.Collections.Generic.IEnumerable`1");
        Monitor = compilation.GetBestType("System.Threading.Monitor");
        ThreadingLock = compilation.GetBestType("System.Threading.Lock");
        SemaphoreSlim = compilation.GetBestType("System.Threading.SemaphoreSlim");
        Mutex = compilation.GetBestType("System.Threading.Mutex");
        ReaderWriterLockSlim = compilation.GetBestType("System.Threading.ReaderWriterLockSlim");
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

    public INamedTypeSymbol? DoesNotReturnAttribute { get; }
    public INamedTypeSymbol? TaskStatus { get; }
    public INamedTypeSymbol? Console { get; }
    public INamedTypeSymbol? EventArgs { get; }
    public INamedTypeSymbol? OperationCanceledException { get; }
    public INamedTypeSymbol? TaskCanceledException { get; }
    public INamedTypeSymbol? Exception { get; }
    public INamedTypeSymbol? HttpClient { get; }
    public INamedTypeSymbol? HttpResponseMessage { get; }
    public INamedTypeSymbol? IAsyncDisposable { get; }

    public INamedTypeSymbol? Parallel { get; }
    public INamedTypeSymbol? TaskFactory { get; }
    public INamedTypeSymbol? TaskFactoryOfT { get; }
    public INamedTypeSymbol? ListOfT { get; }
    public INamedTypeSymbol? IEnumerableOfT { get; }

    // The lock primitives of the AP3xxx rules (System.Threading.Lock exists from .NET 9 on).
    public INamedTypeSymbol? Monitor { get; }
    public INamedTypeSymbol? ThreadingLock { get; }
    public INamedTypeSymbol? SemaphoreSlim { get; }
    public INamedTypeSymbol? Mutex { get; }
    public INamedTypeSymbol? ReaderWriterLockSlim { get; }

    /// <summary>The awaiters whose <c>GetResult()</c> blocks when called before completion.</summary>
    public ImmutableHashSet<INamedTypeSymbol> AwaiterTypes { get; }

    /// <summary>The compilation's set, created by the first analyzer to ask; false when even <c>Task</c> is missing (no async code can exist).</summary>
    public static bool TryCreate(Compilation compilation, out KnownTypes types)
    {
        types = s_byCompilation.GetValue(compilation, static c => new KnownTypes(c));
        return types.Task is not null;
    }
}
