using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>AP5004: <c>ct.ThrowIfCancellationRequested();</c> as the loop body's first statement (in braces if it had none).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LoopIgnoresTokenCodeFix)), Shared]
public sealed class LoopIgnoresTokenCodeFix : EditCodeFixProvider
{
    public LoopIgnoresTokenCodeFix()
        : base(DiagnosticIds.LoopIgnoresToken, "AP5004.ThrowIfCancellationRequested")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(LoopIgnoresTokenAnalyzer.TokenProperty, out var token) || token is null
            || context.FindToken(diagnostic).Parent?.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault() is not { } loop
            || Body(loop) is not { } body)
            return null;
        var endOfLine = AwaitSyntax.EndOfLine(context.Root);
        return CodeEdit.Replace($"Add '{token}.ThrowIfCancellationRequested()'", body, current =>
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
