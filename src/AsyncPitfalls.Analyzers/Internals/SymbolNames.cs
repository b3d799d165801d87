using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>How symbols are named in diagnostic messages.</summary>
internal static class SymbolNames
{
    /// <summary>
    /// The name a reader knows a member by: the property for an accessor, the type for a
    /// constructor, the event for an add/remove handler.
    /// </summary>
    public static string ForMessage(ISymbol symbol) => symbol switch
    {
        IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } ctor => ctor.ContainingType.Name,
        IMethodSymbol { AssociatedSymbol: { } associated } => associated.Name,
        _ => symbol.Name,
    };

    /// <summary>'Type.Member', the way a call is written in code.</summary>
    public static string Qualified(ISymbol symbol)
        => symbol.ContainingType is { } type ? type.Name + "." + ForMessage(symbol) : ForMessage(symbol);
}
