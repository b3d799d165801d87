using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Questions about a declaration that analyzers and code fixes must answer alike: a fix that read
/// "event handler" differently from its analyzer would rewrite a method the rule meant to leave alone.
/// </summary>
internal static class Declarations
{
    /// <summary>
    /// The (object sender, XxxEventArgs e) shape, whose void return the event fixes: the second
    /// parameter derives from <c>System.EventArgs</c>, or its name ends in EventArgs (WinRT and MAUI
    /// argument types do not all derive from System.EventArgs, but keep the name).
    /// </summary>
    public static bool IsEventHandler(IMethodSymbol method, KnownTypes types)
    {
        if (method.Parameters.Length != 2 || method.Parameters[0].Type.SpecialType != SpecialType.System_Object)
            return false;
        var args = method.Parameters[1].Type;
        return args.Name.EndsWith("EventArgs", System.StringComparison.Ordinal) || TypeLookup.Is(args, types.EventArgs);
    }

    /// <summary>The method implements an interface member, explicitly or implicitly: its signature is the interface's.</summary>
    public static bool ImplementsInterfaceMember(IMethodSymbol method)
        => !method.ExplicitInterfaceImplementations.IsEmpty
            || method.ContainingType is { } type && type.AllInterfaces.Any(i => i.GetMembers(method.Name).Any(member =>
                SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method)));

    /// <summary>Where a diagnostic about a catch clause goes: <c>catch (Exception e)</c>, without its block.</summary>
    public static Location CatchHeaderLocation(ICatchClauseOperation clause)
        => clause.Syntax is CatchClauseSyntax syntax
            ? Location.Create(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(syntax.CatchKeyword.SpanStart, (syntax.Declaration?.Span ?? syntax.CatchKeyword.Span).End))
            : clause.Syntax.GetLocation();
}
