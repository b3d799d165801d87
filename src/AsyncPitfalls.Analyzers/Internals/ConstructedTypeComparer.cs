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

    public int GetHashCode(ITypeSymbol type)
    {
        var hash = SymbolEqualityComparer.Default.GetHashCode(type);
        if (type is INamedTypeSymbol { IsGenericType: true } named)
        {
            // Equal types (nullability aside) have equal arguments, so equal hashes.
            foreach (var argument in named.TypeArguments)
                hash = unchecked(hash * 31 + SymbolEqualityComparer.Default.GetHashCode(argument));
        }
        return hash;
    }
}
