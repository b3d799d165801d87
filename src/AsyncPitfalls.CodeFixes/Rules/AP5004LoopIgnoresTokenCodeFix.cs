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

/// <summary>AP5004: <c>ct.ThrowIfCancellationRequested();</c> as the loop body's first statement (in braces if it had none).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LoopIgnoresTokenCodeFix)), Shared]
public sealed class LoopIgnoresTokenCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP5004.ThrowIfCancellationRequested";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.LoopIgnoresToken);

    public override FixAllProvider GetFixAllProvider() => SyntaxEditorFixAll.Create(EditFor);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root is null || model is null || EditFor(root, model, diagnostic, context.CancellationToken) is null)
                continue;
            context.RegisterCodeFix(CodeAction.Create($"Add '{diagnostic.Properties[LoopIgnoresTokenAnalyzer.TokenProperty]}.ThrowIfCancellationRequested()'",
                ct => SyntaxEditorFixAll.ApplyAsync(context.Document, ImmutableArray.Create(diagnostic), EditFor, ct), EquivalenceKey), diagnostic);
        }
    }

    private static (SyntaxNode, System.Func<SyntaxNode, SyntaxNode>)? EditFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(LoopIgnoresTokenAnalyzer.TokenProperty, out var token) || token is null
            || root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault() is not { } loop
            || Body(loop) is not { } body)
            return null;
        var endOfLine = AwaitSyntax.EndOfLine(root);
        return (body, current =>
        {
            // Elastic line breaks: the formatter puts the check on a line of its own at the body's indentation.
            var check = SyntaxFactory.ParseStatement($"{token}.ThrowIfCancellationRequested();")
                .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                .WithTrailingTrivia(endOfLine)
                .WithAdditionalAnnotations(Formatter.Annotation);
            return current is BlockSyntax block
                ? block.WithStatements(block.Statements.Insert(0, check))
                : SyntaxFactory.Block(check, ((StatementSyntax)current).WithLeadingTrivia(SyntaxFactory.ElasticMarker))
                    .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                    .WithTrailingTrivia(current.GetTrailingTrivia())
                    .WithAdditionalAnnotations(Formatter.Annotation);
        });
    }

    private static StatementSyntax? Body(StatementSyntax loop) => loop switch
    {
        ForStatementSyntax @for => @for.Statement,
        CommonForEachStatementSyntax @foreach => @foreach.Statement,
        WhileStatementSyntax @while => @while.Statement,
        DoStatementSyntax @do => @do.Statement,
        _ => null,
    };
}
