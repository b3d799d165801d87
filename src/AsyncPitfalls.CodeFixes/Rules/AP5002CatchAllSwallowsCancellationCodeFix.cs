using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using AsyncPitfalls.Internals;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5002, two fixes: a filter <c>when (ex is not OperationCanceledException)</c> on the catch-all
/// (joined to an existing filter), or a <c>catch (OperationCanceledException) { throw; }</c> before it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CatchAllSwallowsCancellationCodeFix)), Shared]
public sealed class CatchAllSwallowsCancellationCodeFix : CodeFixProvider
{
    private const string FilterKey = "AP5002.Filter";
    private const string RethrowKey = "AP5002.PrecedingRethrow";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.CatchAllSwallowsCancellation);

    // Each fix changes one catch clause: independent edits that the batch fixer merges.
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is not { Parent: TryStatementSyntax } clause)
                continue;
            context.RegisterCodeFix(CodeAction.Create("Add 'when (ex is not OperationCanceledException)'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(clause, AddFilter(clause, model)))), FilterKey), diagnostic);
            context.RegisterCodeFix(CodeAction.Create("Rethrow OperationCanceledException in a catch before it",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.InsertNodesBefore(clause, new[] { RethrowingCatch(model, clause.SpanStart) }))), RethrowKey), diagnostic);
        }
    }

    private static CatchClauseSyntax AddFilter(CatchClauseSyntax clause, SemanticModel model)
    {
        var name = clause.Declaration?.Identifier.ValueText is { Length: > 0 } existing ? existing : UnusedName(clause);
        // Parsed rather than built: 'is not Name' parses as a constant pattern that binds to the type, and a
        // hand-built type pattern would be a tree that the same text never parses to.
        var type = AwaitSyntax.FrameworkType("System.OperationCanceledException", model, clause.SpanStart);
        ExpressionSyntax condition = SyntaxFactory.ParseExpression($"{name} is not {type.NormalizeWhitespace()}");
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
            : SyntaxFactory.CatchDeclaration(AwaitSyntax.FrameworkType("System.Exception", model, clause.SpanStart), SyntaxFactory.Identifier(name))
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
