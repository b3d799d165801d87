using System.Collections.Immutable;
using System.Composition;
using System.Threading;
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
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnobservedTaskCollection);

    protected override string EquivalenceKey => "AP2003.AwaitWhenAll";

    protected override bool AllowsSignatureChange => true;

    protected override string Title(Diagnostic diagnostic)
        => $"Add 'await Task.WhenAll({diagnostic.Properties[UnobservedTaskCollectionAnalyzer.CollectionProperty]})'";

    protected override AwaitEdit? GetEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(UnobservedTaskCollectionAnalyzer.CollectionProperty, out var collection) || collection is null
            || FindNode(root, diagnostic) is not { } site
            || AnchorStatement(site) is not { } anchor)
            return null;

        return AwaitEdit.InsertAfter(anchor, () =>
        {
            var whenAll = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("WhenAll")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(collection)))));
            return SyntaxFactory.ExpressionStatement(AwaitSyntax.Await(whenAll, configureAwaitFalse));
        });
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
