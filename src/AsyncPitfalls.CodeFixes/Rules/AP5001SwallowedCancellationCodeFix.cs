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
/// AP5001: ends the handler with <c>throw;</c> (in place of a trailing return, which would otherwise become
/// unreachable). A handler that would hold nothing but <c>throw;</c> is removed instead, when it is the try's
/// last clause and has no filter (so no later clause catches what it let through); a try left with no
/// clause and no finally is unwrapped.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedCancellationCodeFix)), Shared]
public sealed class SwallowedCancellationCodeFix : EditCodeFixProvider
{
    private const string Title = "Rethrow with 'throw;'";

    public SwallowedCancellationCodeFix()
        : base(DiagnosticIds.SwallowedCancellation, "AP5001.Rethrow")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindToken(diagnostic).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is not { } clause)
            return null;

        if (clause.Parent is TryStatementSyntax @try && OnlyRethrowsAfterFix(clause) && clause.Filter is null && @try.Catches.Last() == clause)
        {
            if (@try.Catches.Count > 1 || @try.Finally is not null)
                return CodeEdit.Replace(Title, @try, current => RemoveClause(current, clause)).AndTrack(clause);
            if (@try.Parent is BlockSyntax outer && !DeclaresNames(@try.Block))
                return CodeEdit.Replace(Title, outer, current => SpliceTry((BlockSyntax)current, @try)).AndTrack(@try);
            return CodeEdit.Replace(Title, @try, current => current is TryStatementSyntax t
                ? t.Block.WithTriviaFrom(t).WithAdditionalAnnotations(Formatter.Annotation)
                : current);
        }

        return CodeEdit.Replace(Title, clause.Block, current =>
        {
            var block = (BlockSyntax)current;
            var rethrow = SyntaxFactory.ThrowStatement().WithAdditionalAnnotations(Formatter.Annotation);
            var statements = block.Statements.LastOrDefault() is ReturnStatementSyntax last
                ? block.Statements.Replace(last, rethrow.WithTriviaFrom(last))
                : block.Statements.Add(rethrow);
            return block.WithStatements(statements).WithAdditionalAnnotations(Formatter.Annotation);
        });
    }

    /// <summary>Whether the handler would hold only <c>throw;</c>: it is empty, or holds only a return the throw replaces.</summary>
    private static bool OnlyRethrowsAfterFix(CatchClauseSyntax clause)
        => clause.Block.Statements.Count == 0 || clause.Block.Statements is { Count: 1 } statements && statements[0] is ReturnStatementSyntax;

    private static SyntaxNode RemoveClause(SyntaxNode current, CatchClauseSyntax original)
    {
        if (current is not TryStatementSyntax @try || @try.GetCurrentNode(original) is not { } clause)
            return current;
        return @try.WithCatches(@try.Catches.Remove(clause)).WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>The try's statements in its place: the handler was its only clause and there is no finally.</summary>
    private static BlockSyntax SpliceTry(BlockSyntax outer, TryStatementSyntax original)
    {
        if (outer.GetCurrentNode(original) is not { } @try)
            return outer;
        var statements = @try.Block.Statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        if (statements.Count == 0)
            return outer.WithStatements(outer.Statements.Remove(@try));
        statements[0] = statements[0].WithLeadingTrivia(@try.GetLeadingTrivia().AddRange(statements[0].GetLeadingTrivia()));
        return outer.WithStatements(outer.Statements.ReplaceRange(@try, statements));
    }

    /// <summary>Whether the block's own statements declare locals, local functions or pattern/out variables, which would move into the outer scope.</summary>
    private static bool DeclaresNames(BlockSyntax block)
        => block.Statements.Any(s => s is LocalDeclarationStatementSyntax or LocalFunctionStatementSyntax or LabeledStatementSyntax
            || s.DescendantNodes(n => n is not (BlockSyntax or AnonymousFunctionExpressionSyntax)).Any(n => n is SingleVariableDesignationSyntax or ParenthesizedVariableDesignationSyntax));
}
