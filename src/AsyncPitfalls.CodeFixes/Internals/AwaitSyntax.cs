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
    /// Whether the file awaits with <c>ConfigureAwait(false)</c> as its convention: it has awaits, and
    /// every one of them (but <c>await Task.Yield()</c>, which cannot be configured) is configured.
    /// A file that mixes both has no convention to follow. Asking "all" rather than "any" keeps the
    /// answer the same however many fixes have already been applied.
    /// </summary>
    public static bool FileUsesConfigureAwaitFalse(SyntaxNode root)
    {
        var configured = false;
        foreach (var await in root.DescendantNodes().OfType<AwaitExpressionSyntax>())
        {
            if (await.Expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Yield" } })
                continue;
            if (await.Expression is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } } invocation
                || invocation.ArgumentList.Arguments.Count != 1
                || !invocation.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.FalseLiteralExpression))
                return false;
            configured = true;
        }
        return configured;
    }

    /// <summary>
    /// <c>store?.SaveAsync()</c>: awaiting it throws when <c>store</c> is null, where the code did nothing before,
    /// so fixes that insert an await leave it to the developer.
    /// </summary>
    public static bool IsNullConditional(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
            expression = parenthesized.Expression;
        return expression is ConditionalAccessExpressionSyntax;
    }

    /// <summary><c>await expression</c>, or <c>await expression.ConfigureAwait(false)</c>.</summary>
    public static AwaitExpressionSyntax Await(ExpressionSyntax expression, bool configureAwaitFalse)
    {
        var awaited = configureAwaitFalse ? ConfigureAwaitFalse(expression) : expression.WithoutTrivia();
        return SyntaxFactory.AwaitExpression(Parenthesize(awaited)).WithTriviaFrom(expression);
    }

    /// <summary><c>expression.ConfigureAwait(false)</c>, in parentheses where the expression needs them (<c>(await OpenAsync()).ConfigureAwait(false)</c>); without trivia.</summary>
    public static InvocationExpressionSyntax ConfigureAwaitFalse(ExpressionSyntax expression)
        => SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Parenthesize(expression.WithoutTrivia()), SyntaxFactory.IdentifierName("ConfigureAwait")),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression)))));

    /// <summary>
    /// Parentheses where an await replaces an operand that binds tighter: <c>t.Result.Length</c>
    /// becomes <c>(await t).Length</c>, not <c>await t.Length</c>.
    /// </summary>
    public static ExpressionSyntax ParenthesizeIfNeeded(ExpressionSyntax original, ExpressionSyntax replacement)
    {
        var needsParentheses = original.Parent switch
        {
            MemberAccessExpressionSyntax member => member.Expression == original,
            ConditionalAccessExpressionSyntax conditional => conditional.Expression == original,
            ElementAccessExpressionSyntax element => element.Expression == original,
            InvocationExpressionSyntax invocation => invocation.Expression == original,
            PostfixUnaryExpressionSyntax => true,
            _ => false,
        };
        return needsParentheses ? SyntaxFactory.ParenthesizedExpression(replacement) : replacement;
    }

    /// <summary><c>System.Threading.Tasks.Task</c>, simplified to <c>Task</c> where a using allows it, and adding that using otherwise.</summary>
    public static TypeSyntax TaskType()
        => SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.Task")
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>
    /// A framework type by its full name (<c>System.TimeSpan</c>), written <c>global::</c>-qualified and
    /// annotated so the clean-up shortens it to what the file's usings allow (and adds the using).
    /// The annotation must sit on the type itself: the simplifier does not look into larger nodes.
    /// </summary>
    public static TypeSyntax FrameworkType(string fullName)
        => SyntaxFactory.ParseTypeName("global::" + fullName).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>
    /// The framework type by its simple name when that name already binds to it at
    /// <paramref name="position"/> (nothing to simplify, so the clean-up leaves the layout alone),
    /// otherwise as <see cref="FrameworkType(string)"/> does.
    /// </summary>
    public static TypeSyntax FrameworkType(string fullName, SemanticModel model, int position)
    {
        var simpleName = fullName.Substring(fullName.LastIndexOf('.') + 1);
        var simple = SyntaxFactory.IdentifierName(simpleName);
        var bound = model.GetSpeculativeTypeInfo(position, simple, SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
        return bound is not null && SymbolEqualityComparer.Default.Equals(bound, model.Compilation.GetBestType(fullName))
            ? simple
            : FrameworkType(fullName);
    }

    /// <summary>An elastic line break in the document's own style ("\n" or "\r\n"), for statements a fix inserts.</summary>
    public static SyntaxTrivia EndOfLine(SyntaxNode root)
    {
        foreach (var trivia in root.DescendantTrivia())
        {
            if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
                return SyntaxFactory.ElasticEndOfLine(trivia.ToString());
        }
        return SyntaxFactory.ElasticEndOfLine("\n");
    }

    /// <summary><c>Task&lt;T&gt;</c> for a synchronous method's return type T, simplified like <see cref="TaskType"/>.</summary>
    public static TypeSyntax TaskOf(TypeSyntax result)
        => SyntaxFactory.QualifiedName(
                SyntaxFactory.ParseName("global::System.Threading.Tasks"),
                SyntaxFactory.GenericName(SyntaxFactory.Identifier("Task"), SyntaxFactory.TypeArgumentList(SyntaxFactory.SingletonSeparatedList(result))))
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression)
        => expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
            or ParenthesizedExpressionSyntax or LiteralExpressionSyntax or ObjectCreationExpressionSyntax or GenericNameSyntax
            ? expression
            : SyntaxFactory.ParenthesizedExpression(expression);
}
