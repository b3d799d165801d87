using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>Finding a type by name, and the two questions asked of a type that need no other state.</summary>
internal static class TypeLookup
{
    /// <summary>
    /// Resolves a type by metadata name even when several references define it (polyfill packages
    /// often redefine framework types, and then <c>GetTypeByMetadataName</c> answers null): the
    /// compilation's own definition wins, then the one from the core library, then the only public one.
    /// </summary>
    public static INamedTypeSymbol? GetBestType(this Compilation compilation, string metadataName)
    {
        // The order above, asked of the two likeliest assemblies first: most types asked for are the core library's, and
        // the compilation's search would otherwise look through every reference (hundreds, on real code) for each name.
        if (compilation.Assembly.GetTypeByMetadataName(metadataName) is { } own)
            return own;
        if (compilation.ObjectType.ContainingAssembly?.GetTypeByMetadataName(metadataName) is { } core)
            return core;

#pragma warning disable RS0030 // The one sanctioned call of the banned API.
        var unique = compilation.GetTypeByMetadataName(metadataName);
#pragma warning restore RS0030
        if (unique is not null)
            return unique;

        var candidates = compilation.GetTypesByMetadataName(metadataName);
        if (candidates.IsDefaultOrEmpty)
            return null;

        INamedTypeSymbol? fromCoreLibrary = null;
        INamedTypeSymbol? onlyPublic = null;
        var publicCount = 0;
        foreach (var candidate in candidates)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.ContainingAssembly, compilation.Assembly))
                return candidate;
            if (SymbolEqualityComparer.Default.Equals(candidate.ContainingAssembly, compilation.ObjectType.ContainingAssembly))
                fromCoreLibrary = candidate;
            if (candidate.DeclaredAccessibility == Accessibility.Public)
            {
                publicCount++;
                onlyPublic = candidate;
            }
        }

        return fromCoreLibrary ?? (publicCount == 1 ? onlyPublic : null);
    }

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
}
