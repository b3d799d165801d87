using System.Collections.Generic;
using System.Linq;
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
        IMethodSymbol method when AsyncCode.IsTopLevelStatementsEntryPoint(method) => TopLevelStatements,
        IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } ctor => ctor.ContainingType.Name,
        IMethodSymbol { AssociatedSymbol: { } associated } => associated.Name,
        _ => symbol.Name,
    };

    /// <summary>'Type.Member', the way a call is written in code.</summary>
    public static string Qualified(ISymbol symbol)
        => symbol.ContainingType is { } type && !IsTopLevelStatements(symbol) ? type.Name + "." + ForMessage(symbol) : ForMessage(symbol);

    /// <summary>
    /// The member quoted ("'Run'"), or "top-level statements" unquoted: the compiler's name for them
    /// (<c>&lt;Main&gt;$</c>) means nothing to a reader.
    /// </summary>
    public static string Quoted(ISymbol symbol) => IsTopLevelStatements(symbol) ? TopLevelStatements : $"'{ForMessage(symbol)}'";

    /// <summary>
    /// A call chain as messages show it: "'A.Load' -> 'B.Read'". Long chains keep their two ends and say
    /// how many calls are left out, so the message stays one readable line.
    /// </summary>
    public static string Chain(IReadOnlyList<ISymbol> calls)
    {
        const int Shown = 5;
        if (calls.Count <= Shown)
            return string.Join(" -> ", calls.Select(call => $"'{Qualified(call)}'"));
        var head = calls.Take(Shown - 2).Select(call => $"'{Qualified(call)}'");
        var tail = calls.Skip(calls.Count - 2).Select(call => $"'{Qualified(call)}'");
        return string.Join(" -> ", head) + $" -> ({calls.Count - Shown} more) -> " + string.Join(" -> ", tail);
    }

    private const string TopLevelStatements = "top-level statements";

    private static bool IsTopLevelStatements(ISymbol symbol) => symbol is IMethodSymbol method && AsyncCode.IsTopLevelStatementsEntryPoint(method);
}
