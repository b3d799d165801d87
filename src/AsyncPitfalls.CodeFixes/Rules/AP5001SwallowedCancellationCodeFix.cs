using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>AP5001: ends the handler with <c>throw;</c> (in place of a trailing return, which would otherwise become unreachable).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedCancellationCodeFix)), Shared]
public sealed class SwallowedCancellationCodeFix : EditCodeFixProvider
{
    public SwallowedCancellationCodeFix()
        : base(DiagnosticIds.SwallowedCancellation, "AP5001.Rethrow")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindToken(diagnostic).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is not { } clause)
            return null;
        return CodeEdit.Replace("Rethrow with 'throw;'", clause.Block, current =>
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
