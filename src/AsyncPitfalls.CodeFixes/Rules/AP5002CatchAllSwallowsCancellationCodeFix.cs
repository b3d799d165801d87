using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using AsyncPitfalls.Internals;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5002, two fixes: a filter <c>when (ex is not OperationCanceledException)</c> on the catch-all
/// (joined to an existing filter; <c>when (!(ex is OperationCanceledException))</c> below C# 9, which has
/// no <c>not</c> pattern), or a <c>catch (OperationCanceledException) { throw; }</c> before it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CatchAllSwallowsCancellationCodeFix)), Shared]
public sealed class CatchAllSwallowsCancellationCodeFix : EditCodeFixProvider
{
    private const string RethrowKey = "AP5002.PrecedingRethrow";

    public CatchAllSwallowsCancellationCodeFix()
        : base(DiagnosticIds.CatchAllSwallowsCancellation, "AP5002.Filter")
    {
    }

    protected override ImmutableArray<string> OtherEquivalenceKeys { get; } = ImmutableArray.Create(RethrowKey);

    // As before the shared base: a type name that needs a using stays qualified, and no using is added.
    protected override bool AddsImports => false;

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (CatchAll(context, diagnostic) is not { } clause)
            return null;
        // The type names bind at the clause's place in the document as it was.
        var position = clause.SpanStart;
        var notPattern = LanguageFeatures.AllowsNotPatterns(clause);
        return CodeEdit.Replace(notPattern ? "Add 'when (ex is not OperationCanceledException)'" : "Add 'when (!(ex is OperationCanceledException))'", clause,
            current => AddFilter((CatchClauseSyntax)current, context.Model, position, notPattern));
    }

    protected override CodeEdit? GetOtherEdit(EditContext context, Diagnostic diagnostic, string equivalenceKey)
        => equivalenceKey == RethrowKey && CatchAll(context, diagnostic) is { } clause
            ? CodeEdit.InsertBefore("Rethrow OperationCanceledException in a catch before it", clause, new[] { RethrowingCatch(context.Model, clause.SpanStart) })
            : null;

    private static CatchClauseSyntax? CatchAll(EditContext context, Diagnostic diagnostic)
        => context.FindToken(diagnostic).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is { Parent: TryStatementSyntax } clause ? clause : null;

    private static CatchClauseSyntax AddFilter(CatchClauseSyntax clause, SemanticModel model, int position, bool notPattern)
    {
        var name = clause.Declaration?.Identifier.ValueText is { Length: > 0 } existing ? existing : UnusedName(clause);
        // Parsed rather than built: 'is not Name' parses as a constant pattern that binds to the type, and a
        // hand-built type pattern would be a tree that the same text never parses to.
        var type = AwaitSyntax.FrameworkType("System.OperationCanceledException", model, position).NormalizeWhitespace();
        ExpressionSyntax condition = SyntaxFactory.ParseExpression(notPattern ? $"{name} is not {type}" : $"!({name} is {type})");
        if (clause.Filter is { } existingFilter)
        {
            // ex is not OperationCanceledException && (old filter), parentheses dropped where not needed.
            var old = existingFilter.FilterExpression.WithoutTrivia();
            var right = old is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression } or ConditionalExpressionSyntax or AssignmentExpressionSyntax
                ? SyntaxFactory.ParenthesizedExpression(old)
                : old;
            condition = SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, condition, right).NormalizeWhitespace();
            // 'catch (Exception) when (...)' has a type but no variable yet: name it too.
            var named = clause.Declaration is { Identifier.ValueText.Length: 0 } unnamed
                ? clause.WithDeclaration(unnamed.WithIdentifier(SyntaxFactory.Identifier(name)))
                : clause;
            return named.WithFilter(existingFilter.WithFilterExpression(condition));
        }

        // The new declaration and filter take the place of whatever stood between 'catch' and the block.
        var beforeBlock = (clause.Declaration?.GetTrailingTrivia() ?? clause.CatchKeyword.TrailingTrivia);
        var declaration = clause.Declaration is { } declared
            ? declared.WithIdentifier(SyntaxFactory.Identifier(name)).WithCloseParenToken(declared.CloseParenToken.WithTrailingTrivia(SyntaxFactory.Space))
            : SyntaxFactory.CatchDeclaration(AwaitSyntax.FrameworkType("System.Exception", model, position), SyntaxFactory.Identifier(name))
                .WithOpenParenToken(SyntaxFactory.Token(SyntaxKind.OpenParenToken))
                .WithCloseParenToken(SyntaxFactory.Token(SyntaxKind.CloseParenToken).WithTrailingTrivia(SyntaxFactory.Space));
        var filter = SyntaxFactory.CatchFilterClause(
            SyntaxFactory.Token(SyntaxKind.WhenKeyword).WithTrailingTrivia(SyntaxFactory.Space),
            SyntaxFactory.Token(SyntaxKind.OpenParenToken),
            condition,
            SyntaxFactory.Token(SyntaxKind.CloseParenToken).WithTrailingTrivia(beforeBlock));
        return clause.WithCatchKeyword(clause.CatchKeyword.WithTrailingTrivia(SyntaxFactory.Space)).WithDeclaration(declaration).WithFilter(filter);
    }

    private static CatchClauseSyntax RethrowingCatch(SemanticModel model, int position)
        => SyntaxFactory.CatchClause(
                SyntaxFactory.CatchDeclaration(AwaitSyntax.FrameworkType("System.OperationCanceledException", model, position)),
                null,
                SyntaxFactory.Block(SyntaxFactory.ThrowStatement()))
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>'ex', or 'ex1', 'ex2'... when the handler already uses the name.</summary>
    private static string UnusedName(CatchClauseSyntax clause)
    {
        var used = clause.Block.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
        var name = "ex";
        for (var i = 1; used.Contains(name); i++)
            name = "ex" + i;
        return name;
    }
}
