using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>AP5001: ends the handler with <c>throw;</c> (in place of a trailing return, which would otherwise become unreachable).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedCancellationCodeFix)), Shared]
public sealed class SwallowedCancellationCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP5001.Rethrow";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SwallowedCancellation);

    public override FixAllProvider GetFixAllProvider() => SyntaxEditorFixAll.Create(EditFor);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root is null || model is null || EditFor(root, model, diagnostic, context.CancellationToken) is null)
                continue;
            context.RegisterCodeFix(CodeAction.Create("Rethrow with 'throw;'",
                ct => SyntaxEditorFixAll.ApplyAsync(context.Document, ImmutableArray.Create(diagnostic), EditFor, ct), EquivalenceKey), diagnostic);
        }
    }

    private static (SyntaxNode, System.Func<SyntaxNode, SyntaxNode>)? EditFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is not { } clause)
            return null;
        return (clause.Block, current =>
        {
            var block = (BlockSyntax)current;
            var rethrow = SyntaxFactory.ThrowStatement().WithAdditionalAnnotations(Formatter.Annotation);
            var statements = block.Statements.LastOrDefault() is ReturnStatementSyntax last
                ? block.Statements.Replace(last, rethrow.WithTriviaFrom(last))
                : block.Statements.Add(rethrow);
            return block.WithStatements(statements).WithAdditionalAnnotations(Formatter.Annotation);
        });
    }
}
