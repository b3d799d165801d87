using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Internals;

/// <summary>Questions about the function (method, local function, lambda) that holds a node.</summary>
internal static class FunctionSyntax
{
    /// <summary>The innermost method, accessor, local function, lambda or anonymous method around <paramref name="node"/>.</summary>
    public static SyntaxNode? GetEnclosingFunction(SyntaxNode node)
    {
        foreach (var current in node.Ancestors(ascendOutOfTrivia: false))
        {
            if (IsFunction(current))
                return current;
        }
        return null;
    }

    public static bool IsFunction(SyntaxNode node)
        => node is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax;

    /// <summary>
    /// Whether an <c>await</c> may stand at <paramref name="node"/> once its function is async: not in
    /// a lock body, an unsafe context or a query clause (CS1996, CS4004, CS1995).
    /// </summary>
    public static bool CanAwaitAt(SyntaxNode node)
    {
        foreach (var current in node.Ancestors(ascendOutOfTrivia: false))
        {
            switch (current)
            {
                case LockStatementSyntax @lock when !@lock.Expression.FullSpan.Contains(node.Span):
                case UnsafeStatementSyntax:
                case QueryClauseSyntax or SelectOrGroupClauseSyntax:
                    return false;
                case BaseMethodDeclarationSyntax method when method.Modifiers.Any(SyntaxKind.UnsafeKeyword):
                case LocalFunctionStatementSyntax localFunction when localFunction.Modifiers.Any(SyntaxKind.UnsafeKeyword):
                    return false;
                case TypeDeclarationSyntax type:
                    return !type.Modifiers.Any(SyntaxKind.UnsafeKeyword);
            }
        }
        return true;
    }
}
