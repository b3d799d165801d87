using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2003: appends <c>await Task.WhenAll(tasks);</c> after the loop that fills the collection (after
/// the declaration, for a materialized projection), making the enclosing function async if needed.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnobservedTaskCollectionCodeFix)), Shared]
public sealed class UnobservedTaskCollectionCodeFix : AwaitInsertingCodeFix
{
    public UnobservedTaskCollectionCodeFix()
        : base(DiagnosticIds.UnobservedTaskCollection, "AP2003.AwaitWhenAll", allowsSignatureChange: true)
    {
    }

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(UnobservedTaskCollectionAnalyzer.CollectionProperty, out var collection) || collection is null
            || AnchorStatement(context.FindNode(diagnostic)) is not { } anchor)
            return null;
        // A dispatch loop that only an exception ends (while (true) { var job = await reader.ReadAsync(ct); ... }):
        // code after it never runs, so a WhenAll there would await nothing.
        if (anchor is not LocalDeclarationStatementSyntax && context.Model.AnalyzeControlFlow(anchor) is { Succeeded: true, EndPointIsReachable: false })
            return null;

        var whenAll = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("WhenAll")),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.ParseExpression(collection)))));
        // Task.WhenAll takes tasks only: a collection of ValueTasks (or other awaitables) has no overload to bind to.
        if (context.Model.GetSpeculativeSymbolInfo(anchor.GetLastToken().SpanStart, whenAll, SpeculativeBindingOption.BindAsExpression).Symbol is null)
            return null;
        return InsertAwaitingAfter($"Add 'await Task.WhenAll({collection})'", anchor,
            SyntaxFactory.ExpressionStatement(AwaitSyntax.Await(whenAll, context.ConfigureAwaitFalse)));
    }

    /// <summary>The outermost loop around the add (or the declaration statement), as a statement of a block.</summary>
    private static StatementSyntax? AnchorStatement(SyntaxNode site)
    {
        StatementSyntax? anchor = null;
        foreach (var current in site.AncestorsAndSelf(ascendOutOfTrivia: false))
        {
            if (FunctionSyntax.IsFunction(current))
                break;
            if (current is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or LocalDeclarationStatementSyntax
                && current.Parent is BlockSyntax)
            {
                anchor = (StatementSyntax)current;
                if (current is LocalDeclarationStatementSyntax)
                    break;
            }
        }
        return anchor;
    }
}
