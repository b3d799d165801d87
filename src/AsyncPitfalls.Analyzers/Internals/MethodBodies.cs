using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Internals;

/// <summary>
/// What the body of a method declared in source mentions, for the bridge checks of AP1003 and
/// AP5003: an overload whose body names the caller (or the blocking method) calls back into it.
/// Syntax only, read once per method and compilation.
/// </summary>
internal sealed class MethodBodies
{
    private readonly ConcurrentDictionary<IMethodSymbol, HashSet<string>> _names = new(SymbolEqualityComparer.Default);

    /// <summary>Whether <paramref name="method"/>'s source body names <paramref name="name"/> or <paramref name="otherName"/>.</summary>
    public bool Mentions(IMethodSymbol method, string name, string? otherName = null)
    {
        var definition = method.ReducedFrom ?? method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.IsEmpty)
            return false;
        var mentioned = _names.GetOrAdd(definition, NamesIn);
        return mentioned.Contains(name) || otherName is not null && mentioned.Contains(otherName);
    }

    /// <summary>Read-only once built; tokens, not nodes: a body's identifiers are most of its tokens and few of its nodes' kinds.</summary>
    private static HashSet<string> NamesIn(IMethodSymbol method)
    {
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            foreach (var token in reference.GetSyntax().DescendantTokens())
            {
                if (token.Parent is SimpleNameSyntax name && name.Identifier == token)
                    names.Add(token.ValueText);
            }
        }
        return names;
    }
}
