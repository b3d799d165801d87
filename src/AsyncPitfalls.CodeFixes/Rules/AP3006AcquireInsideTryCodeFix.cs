using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
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
public sealed class AcquireInsideTryCodeFix : EditCodeFixProvider
{
    public AcquireInsideTryCodeFix()
        : base(DiagnosticIds.AcquireInsideTry, "AP3006.AcquireBeforeTry")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(AcquireInsideTryAnalyzer.MovableProperty)
            || context.FindNode(diagnostic).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax { Parent: TryStatementSyntax @try } body } acquire
            || @try.Parent is not BlockSyntax)
            return null;

        var count = body.Statements.IndexOf(acquire) + 1;
        var moved = body.Statements.Take(count).Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        moved[0] = moved[0].WithLeadingTrivia(@try.GetLeadingTrivia());
        return CodeEdit.InsertBefore("Acquire before the try", @try, moved)
            .AndReplace(@try, current =>
            {
                // The try keeps its place but loses the blank line before it, which now precedes the moved statements.
                var currentTry = (TryStatementSyntax)current;
                return currentTry.WithBlock(currentTry.Block.WithStatements(SyntaxFactory.List(currentTry.Block.Statements.Skip(count))))
                    .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                    .WithAdditionalAnnotations(Formatter.Annotation);
            });
    }
}
