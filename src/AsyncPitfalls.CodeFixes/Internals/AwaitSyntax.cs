using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Internals;

/// <summary>Builds the await expressions that fixes insert.</summary>
internal static class AwaitSyntax
{
    /// <summary>
    /// Whether the file already awaits with <c>ConfigureAwait(false)</c>: a library that does so
    /// everywhere expects new awaits to follow suit.
    /// </summary>
    public static bool FileUsesConfigureAwaitFalse(SyntaxNode root)
        => root.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(invocation =>
            invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" }
            && invocation.ArgumentList.Arguments.Count == 1
            && invocation.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.FalseLiteralExpression));

    /// <summary><c>await expression</c>, or <c>await expression.ConfigureAwait(false)</c>.</summary>
    public static AwaitExpressionSyntax Await(ExpressionSyntax expression, bool configureAwaitFalse)
    {
        var awaited = expression.WithoutTrivia();
        if (configureAwaitFalse)
        {
            awaited = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Parenthesize(awaited), SyntaxFactory.IdentifierName("ConfigureAwait")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression)))));
        }

        return SyntaxFactory.AwaitExpression(Parenthesize(awaited)).WithTriviaFrom(expression);
    }

    /// <summary><c>System.Threading.Tasks.Task</c>, simplified to <c>Task</c> where a using allows it, and adding that using otherwise.</summary>
    public static TypeSyntax TaskType()
        => SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.Task")
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression)
        => expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
            or ParenthesizedExpressionSyntax or LiteralExpressionSyntax or ObjectCreationExpressionSyntax or GenericNameSyntax
            ? expression
            : SyntaxFactory.ParenthesizedExpression(expression);
}
