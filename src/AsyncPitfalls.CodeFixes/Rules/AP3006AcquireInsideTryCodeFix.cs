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
            || context.FindNode(diagnostic).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax { Parent: TryStatementSyntax @try } } acquire
            || @try.Parent is not BlockSyntax outer)
            return null;

        return CodeEdit.Replace("Acquire before the try", outer, current => MoveBeforeTry((BlockSyntax)current, @try, acquire))
            .AndTrack(@try, acquire);
    }

    private static BlockSyntax MoveBeforeTry(BlockSyntax outer, TryStatementSyntax originalTry, StatementSyntax originalAcquire)
    {
        // Another try in the same block may have been fixed already: find this one's nodes again.
        if (outer.GetCurrentNode(originalTry) is not { } @try || @try.GetCurrentNode(originalAcquire) is not { Parent: BlockSyntax body } acquire || body != @try.Block)
            return outer;
        var count = body.Statements.IndexOf(acquire) + 1;
        var moved = body.Statements.Take(count).Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        moved[0] = moved[0].WithLeadingTrivia(@try.GetLeadingTrivia());
        // The try keeps its place but loses the blank line before it, which now precedes the moved statements.
        var newTry = @try.WithBlock(body.WithStatements(SyntaxFactory.List(body.Statements.Skip(count))))
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);
        var index = outer.Statements.IndexOf(@try);
        var statements = outer.Statements.Take(index).Concat(moved).Append(newTry).Concat(outer.Statements.Skip(index + 1));
        return outer.WithStatements(SyntaxFactory.List(statements));
    }
}
