using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Fix All for fixes whose edits can nest (a call fixed inside the arguments of another fixed call):
/// every edit is a callback on the current node, applied innermost first, in one pass per document.
/// </summary>
internal static class SyntaxEditorFixAll
{
    /// <summary>One edit: the node to change (found from the diagnostic) and how to change its current version.</summary>
    public delegate (SyntaxNode Node, Func<SyntaxNode, SyntaxNode> Change)? EditFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken);

    public static FixAllProvider Create(EditFor editFor)
        => FixAllProvider.Create(async (context, document, diagnostics) => await ApplyAsync(document, diagnostics, editFor, context.CancellationToken).ConfigureAwait(false));

    public static async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, EditFor editFor, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
            return document;
        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Length))
        {
            if (editFor(root, model, diagnostic, cancellationToken) is { } edit)
                editor.ReplaceNode(edit.Node, (current, _) => edit.Change(current));
        }
        return await FixedDocuments.WithRootAsync(document, editor.GetChangedRoot(), cancellationToken).ConfigureAwait(false);
    }
}
