using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2001: "Add await" (making the enclosing function async: void becomes Task except for event
/// handlers, T becomes Task&lt;T&gt;; overrides and interface implementations keep their signature and
/// get no such fix, nor does <c>x?.SaveAsync()</c>, whose await would throw when x is null) and
/// "Discard explicitly" (<c>_ = FooAsync();</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DiscardedTaskCodeFix)), Shared]
public sealed class DiscardedTaskCodeFix : AwaitInsertingCodeFix
{
    private const string DiscardKey = "AP2001.Discard";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DiscardedTask);

    protected override string EquivalenceKey => "AP2001.AddAwait";

    protected override bool AllowsSignatureChange => true;

    protected override string Title(Diagnostic diagnostic) => "Add await";

    protected override AwaitEdit? GetEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken)
        => FindNode(root, diagnostic) is ExpressionSyntax { Parent: ExpressionStatementSyntax } discarded && !AwaitSyntax.IsNullConditional(discarded)
            ? AwaitEdit.Replace(discarded, current => AwaitSyntax.Await((ExpressionSyntax)current, configureAwaitFalse))
            : null;

    protected override IEnumerable<(string Title, string EquivalenceKey)> OtherFixes(SyntaxNode root, Diagnostic diagnostic)
    {
        if (FindNode(root, diagnostic) is ExpressionSyntax { Parent: ExpressionStatementSyntax })
            yield return ("Discard explicitly", DiscardKey);
    }

    protected override async Task<Document> ApplyOtherFixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || equivalenceKey != DiscardKey)
            return document;
        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        foreach (var diagnostic in diagnostics)
        {
            if (FindNode(root, diagnostic) is not ExpressionSyntax { Parent: ExpressionStatementSyntax } discarded)
                continue;
            // The compiler reads '_' as a discard only with the underscore's contextual kind, which the lexer gives it.
            var underscore = SyntaxFactory.Identifier(SyntaxFactory.TriviaList(), SyntaxKind.UnderscoreToken, "_", "_", SyntaxFactory.TriviaList());
            var discard = SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName(underscore), discarded.WithoutTrivia()).WithTriviaFrom(discarded);
            editor.ReplaceNode(discarded, discard);
        }
        return document.WithSyntaxRoot(editor.GetChangedRoot());
    }
}
