using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP4005: <c>using</c> becomes <c>await using</c>; <c>x.Dispose()</c> becomes <c>await x.DisposeAsync()</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SyncDisposeOfAsyncDisposableCodeFix)), Shared]
public sealed class SyncDisposeOfAsyncDisposableCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP4005.AwaitUsing";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SyncDisposeOfAsyncDisposable);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var token = root?.FindToken(diagnostic.Location.SourceSpan.Start) ?? default;
            SyntaxNode? original = null;
            SyntaxNode? replacement = null;
            var awaitKeyword = SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            switch (token.Parent)
            {
                case LocalDeclarationStatementSyntax declaration when token.IsKind(SyntaxKind.UsingKeyword):
                    original = declaration;
                    replacement = declaration.WithAwaitKeyword(awaitKeyword.WithLeadingTrivia(declaration.UsingKeyword.LeadingTrivia))
                        .WithUsingKeyword(declaration.UsingKeyword.WithLeadingTrivia());
                    break;
                case UsingStatementSyntax statement when token.IsKind(SyntaxKind.UsingKeyword):
                    original = statement;
                    replacement = statement.WithAwaitKeyword(awaitKeyword.WithLeadingTrivia(statement.UsingKeyword.LeadingTrivia))
                        .WithUsingKeyword(statement.UsingKeyword.WithLeadingTrivia());
                    break;
                default:
                    if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } dispose)
                    {
                        original = dispose;
                        replacement = SyntaxFactory.AwaitExpression(dispose.WithExpression(access.WithName(SyntaxFactory.IdentifierName("DisposeAsync"))).WithoutTrivia()).WithTriviaFrom(dispose);
                    }
                    break;
            }
            if (root is null || original is null || replacement is null)
                continue;
            var (from, to) = (original, replacement);
            context.RegisterCodeFix(CodeAction.Create("Use 'await using'", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(from, to))), EquivalenceKey), diagnostic);
        }
    }
}
