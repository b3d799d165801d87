using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Internals;

/// <summary>Names for the locals a fix declares.</summary>
internal static class LocalNames
{
    /// <summary>
    /// The first of <c>name</c>, <c>name2</c>, <c>name3</c>... that the member around <paramref name="position"/>
    /// does not use for anything (a local, a parameter, a member it calls), after skipping <paramref name="taken"/>
    /// unused ones: those that earlier fixes of the same Fix All pass take.
    /// </summary>
    public static string Unused(SyntaxNode position, string name, int taken = 0)
    {
        var used = position.AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault()?.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet() ?? ImmutableHashSet<string>.Empty;
        for (var i = 1; ; i++)
        {
            var candidate = i == 1 ? name : name + i;
            if (!used.Contains(candidate) && taken-- == 0)
                return candidate;
        }
    }
}
