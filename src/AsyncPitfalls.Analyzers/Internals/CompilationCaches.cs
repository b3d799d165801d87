using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The answers the rules compute from a compilation's <see cref="KnownTypes"/> and keep for that
/// compilation: which types follow the await pattern, and what source method bodies mention. The
/// NameAsync counterpart search keeps its own per compilation, since it asks the awaitable question
/// itself (keeping it here would make the two depend on each other).
/// </summary>
internal sealed class CompilationCaches
{
    /// <summary>
    /// One set per compilation for all analyzers, so AP1003, AP2001 and the rest share what each
    /// learnt. Keyed weakly by the compilation, so an edit's new compilation gets new caches.
    /// </summary>
    private static readonly ConditionalWeakTable<Compilation, CompilationCaches> s_byCompilation = new();

    private CompilationCaches()
    {
    }

    /// <summary>The caches of the compilation <paramref name="types"/> belong to.</summary>
    public static CompilationCaches For(KnownTypes types)
        => s_byCompilation.GetValue(types.Compilation, static _ => new CompilationCaches());

    /// <summary>Whether a type has an instance <c>GetAwaiter()</c> following the await pattern; filled by <see cref="Awaitables"/>.</summary>
    public ConcurrentDictionary<ITypeSymbol, bool> AwaiterPatterns { get; } = new(ConstructedTypeComparer.Instance);

    /// <summary>Whether a method always throws, for the handlers that end in a throw helper; filled by <see cref="CancellationHandlers"/>.</summary>
    public ConcurrentDictionary<IMethodSymbol, bool> ThrowHelpers { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>What source method bodies mention (bridge checks).</summary>
    public MethodBodies Bodies { get; } = new();

    /// <summary>The token a type's instance members hold for the operation it serves; filled by <see cref="MemberTokens"/>.</summary>
    public ConcurrentDictionary<INamedTypeSymbol, TokenInScope> MemberTokens { get; } = new(SymbolEqualityComparer.Default);
}
