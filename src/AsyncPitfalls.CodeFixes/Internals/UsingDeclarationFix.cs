using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The shared fix of AP4001, AP4003 and AP4004: <c>var x = Create();</c> becomes
/// <c>using var x = Create();</c>, disposing at the end of the same block, so the variable keeps its
/// scope. Offered only where that is safe: one declarator, directly in a block, and no later
/// assignment to the variable (a using variable is read-only). A dropped response statement
/// (<c>await http.GetAsync(url);</c>) becomes <c>using var response = await http.GetAsync(url);</c>.
/// </summary>
public abstract class UsingDeclarationFix : CodeFixProvider
{
    protected abstract string EquivalenceKey { get; }

    // Each fix changes one declaration: independent edits that the batch fixer merges.
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (Rewrite(node) is not { } rewrite)
                continue;
            context.RegisterCodeFix(CodeAction.Create(rewrite.Title, _ =>
                Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(rewrite.Statement, rewrite.Replacement))), EquivalenceKey), diagnostic);
        }
    }

    private sealed class Plan
    {
        public Plan(StatementSyntax statement, StatementSyntax replacement, string title)
        {
            Statement = statement;
            Replacement = replacement;
            Title = title;
        }

        public StatementSyntax Statement { get; }
        public StatementSyntax Replacement { get; }
        public string Title { get; }
    }

    private static Plan? Rewrite(SyntaxNode node)
    {
        var statement = node.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault();
        switch (statement)
        {
            case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, Declaration.Variables.Count: 1, Parent: BlockSyntax block } declaration
                when !IsAssignedLater(block, declaration):
                var withUsing = declaration.WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space))
                    .WithLeadingTrivia(declaration.GetLeadingTrivia())
                    .WithDeclaration(declaration.Declaration.WithLeadingTrivia());
                return new Plan(declaration, withUsing, $"Add 'using' to '{declaration.Declaration.Variables[0].Identifier.ValueText}'");

            case ExpressionStatementSyntax { Expression: AwaitExpressionSyntax awaited, Parent: BlockSyntax } expressionStatement when awaited == node || awaited.Contains(node):
                var name = UnusedName(expressionStatement, "response");
                var declared = SyntaxFactory.LocalDeclarationStatement(
                        SyntaxFactory.VariableDeclaration(SyntaxFactory.IdentifierName("var"),
                            SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(awaited.WithoutTrivia())))))
                    .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword))
                    .WithTriviaFrom(expressionStatement)
                    .WithAdditionalAnnotations(Formatter.Annotation);
                return new Plan(expressionStatement, declared, $"Dispose it: 'using var {name} = ...'");

            default:
                return null;
        }
    }

    private static bool IsAssignedLater(BlockSyntax block, LocalDeclarationStatementSyntax declaration)
    {
        var name = declaration.Declaration.Variables[0].Identifier.ValueText;
        return block.DescendantNodes().Any(n => n.SpanStart > declaration.Span.End && n switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax left } => left.Identifier.ValueText == name,
            ArgumentSyntax { RefKindKeyword.RawKind: not 0, Expression: IdentifierNameSyntax argument } => argument.Identifier.ValueText == name,
            _ => false,
        });
    }

    private static string UnusedName(SyntaxNode scope, string name)
    {
        var used = scope.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault()?.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet() ?? ImmutableHashSet<string>.Empty;
        var candidate = name;
        for (var i = 2; used.Contains(candidate); i++)
            candidate = name + i;
        return candidate;
    }
}
