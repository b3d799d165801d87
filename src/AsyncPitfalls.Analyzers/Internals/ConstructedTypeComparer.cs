using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// <see cref="SymbolEqualityComparer.Default"/> for types kept as dictionary keys, with a hash that also mixes in the type
/// arguments: a constructed type's own hash is its definition's, so the many constructions of one generic type in real
/// code (every <c>IMongoCollection&lt;T&gt;</c>, <c>Func&lt;...&gt;</c>) would share one bucket and make each lookup a walk.
/// </summary>
internal sealed class ConstructedTypeComparer : IEqualityComparer<ITypeSymbol>
{
    public static readonly ConstructedTypeComparer Instance = new();

    private ConstructedTypeComparer()
    {
    }

    public bool Equals(ITypeSymbol? x, ITypeSymbol? y) => SymbolEqualityComparer.Default.Equals(x, y);

    public int GetHashCode(ITypeSymbol type) => Hash(type);

    /// <summary>The type's hash with its type arguments mixed in (its containing types' too, for a nested type of a generic one).</summary>
    public static int Hash(ITypeSymbol? type)
    {
        var hash = SymbolEqualityComparer.Default.GetHashCode(type);
        for (var named = type as INamedTypeSymbol; named is not null; named = named.ContainingType)
        {
            if (!named.IsGenericType)
                continue;
            // Equal types (nullability aside) have equal arguments, so equal hashes.
            foreach (var argument in named.TypeArguments)
                hash = unchecked(hash * 31 + SymbolEqualityComparer.Default.GetHashCode(argument));
        }
        return hash;
    }

    /// <summary>A method's hash with its own and its containing type's type arguments mixed in: a method's own hash is its definition's.</summary>
    public static int Hash(IMethodSymbol method)
    {
        var hash = unchecked(SymbolEqualityComparer.Default.GetHashCode(method) * 31 + Hash(method.ContainingType));
        foreach (var argument in method.TypeArguments)
            hash = unchecked(hash * 31 + SymbolEqualityComparer.Default.GetHashCode(argument));
        return hash;
    }
}
