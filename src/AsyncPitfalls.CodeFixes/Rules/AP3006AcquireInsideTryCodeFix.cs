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

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3006: moves the acquisition (and any statements before it in the try) in front of the try, so
/// the finally runs only once the lock is held. Offered when the try has no catch (moving would
/// change what it catches) and the finally only releases, or the acquisition comes first.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AcquireInsideTryCodeFix)), Shared]
public sealed class AcquireInsideTryCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP3006.AcquireBeforeTry";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AcquireInsideTry);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(AcquireInsideTryAnalyzer.MovableProperty)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax { Parent: TryStatementSyntax @try } body } acquire
                || @try.Parent is not BlockSyntax outer)
                continue;
            context.RegisterCodeFix(CodeAction.Create("Acquire before the try", _ =>
            {
                var count = body.Statements.IndexOf(acquire) + 1;
                var moved = body.Statements.Take(count).Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
                moved[0] = moved[0].WithLeadingTrivia(@try.GetLeadingTrivia());
                // The try keeps its place but loses the blank line before it, which now precedes the moved statements.
                var newTry = @try.WithBlock(body.WithStatements(SyntaxFactory.List(body.Statements.Skip(count))))
                    .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                    .WithAdditionalAnnotations(Formatter.Annotation);
                var index = outer.Statements.IndexOf(@try);
                var statements = outer.Statements.Take(index).Concat(moved).Append(newTry).Concat(outer.Statements.Skip(index + 1));
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(outer, outer.WithStatements(SyntaxFactory.List(statements)))));
            }, EquivalenceKey), diagnostic);
        }
    }
}
