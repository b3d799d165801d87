using System.Linq;
using System.Threading;
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
    /// The one answer to "can an await go here", for every fix that inserts one: <paramref name="node"/>
    /// must be in a method, local function or lambda (not a field or property initializer), and not in
    /// one that can never be async (constructor, finalizer, operator, property or event accessor); not in
    /// a lock body, an unsafe context or a query clause (CS1996, CS4004, CS1995); and not where a ref
    /// struct local (<c>Span&lt;T&gt;</c>, <c>stackalloc</c>) would have to live in an async method: below
    /// C# 13 an async method holds none (CS4012), from C# 13 none may be used after the await (CS4007).
    /// </summary>
    public static bool CanAwaitAt(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!CanAwaitAtSyntactically(node))
            return false;
        // Top-level statements may await; a field or property initializer may not.
        var function = GetEnclosingFunction(node) ?? node.FirstAncestorOrSelf<GlobalStatementSyntax>()?.Parent;
        if (function is null or ConstructorDeclarationSyntax or DestructorDeclarationSyntax or OperatorDeclarationSyntax
            or ConversionOperatorDeclarationSyntax or AccessorDeclarationSyntax)
            return false;
        return !HoldsRefStructLocal(function, node, model, cancellationToken);
    }

    private static bool HoldsRefStructLocal(SyntaxNode function, SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        var belowCSharp13 = !LanguageFeatures.AllowsRefStructLocalsInAsyncMethods(node);
        foreach (var descendant in function.DescendantNodes(n => n == function || !IsFunction(n) && n is not TypeDeclarationSyntax))
        {
            ILocalSymbol? local = descendant switch
            {
                VariableDeclaratorSyntax or ForEachStatementSyntax or SingleVariableDesignationSyntax
                    => model.GetDeclaredSymbol(descendant, cancellationToken) as ILocalSymbol,
                _ => null,
            };
            var refLike = local is { Type.IsRefLikeType: true }
                || descendant is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax
                    && model.GetTypeInfo(descendant, cancellationToken).ConvertedType is { IsRefLikeType: true };
            if (!refLike)
                continue;
            if (belowCSharp13)
                return true;
            // From C# 13: only a local declared before the await and used after it is an error.
            if (local is not null && descendant.SpanStart < node.SpanStart
                && function.DescendantNodes().OfType<IdentifierNameSyntax>().Any(name => name.SpanStart >= node.Span.End
                    && name.Identifier.ValueText == local.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local)))
                return true;
        }
        return false;
    }

    private static bool CanAwaitAtSyntactically(SyntaxNode node)
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
