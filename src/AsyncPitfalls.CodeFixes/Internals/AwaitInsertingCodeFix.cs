using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The edit a fix wants for one diagnostic: replace a node with code that awaits, or insert an
/// awaiting statement after one. A replacement is built from the node as it is once fixes inside it
/// have been applied (Fix All of <c>Process(a.Result).Result</c> rewrites the inner wait first).
/// </summary>
public readonly struct AwaitEdit
{
    private AwaitEdit(SyntaxNode target, Func<SyntaxNode, SyntaxNode> build, bool insertAfter)
    {
        Target = target;
        Build = build;
        InsertsAfter = insertAfter;
    }

    public SyntaxNode Target { get; }

    /// <summary>Makes the new node from the current version of <see cref="Target"/>.</summary>
    public Func<SyntaxNode, SyntaxNode> Build { get; }

    /// <summary>The new node is a statement placed after <see cref="Target"/>, which stays.</summary>
    public bool InsertsAfter { get; }

    public static AwaitEdit Replace(SyntaxNode target, Func<SyntaxNode, SyntaxNode> build) => new(target, build, insertAfter: false);

    public static AwaitEdit InsertAfter(StatementSyntax anchor, Func<StatementSyntax> build) => new(anchor, _ => build(), insertAfter: true);
}

/// <summary>
/// The shared shape of the fixes that make code await (AP1001-AP1003, AP2001-AP2007): they only say
/// what changes. This class checks that an await may stand there, makes the enclosing function async
/// when the diagnostic asks for it (once per function, also in Fix All), follows the file's
/// ConfigureAwait(false) convention and adds the usings the new code needs. A subclass may offer
/// other fixes beside the await (AP2001's "Discard explicitly").
/// </summary>
public abstract class AwaitInsertingCodeFix : CodeFixProvider
{
    protected abstract string EquivalenceKey { get; }

    protected abstract string Title(Diagnostic diagnostic);

    /// <summary>The edit for one diagnostic, or null when no safe rewrite exists.</summary>
    protected abstract AwaitEdit? GetEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a synchronous function may change its signature to become async (void to Task, T to
    /// Task&lt;T&gt;). Rules about async code never need it; "add await" in synchronous code does.
    /// </summary>
    protected virtual bool AllowsSignatureChange => false;

    /// <summary>Further fixes for a diagnostic: (title, equivalence key) pairs, applied by <see cref="ApplyOtherFixAsync"/>.</summary>
    protected virtual IEnumerable<(string Title, string EquivalenceKey)> OtherFixes(SyntaxNode root, Diagnostic diagnostic)
        => Enumerable.Empty<(string, string)>();

    /// <summary>Applies one of <see cref="OtherFixes"/> to the given diagnostics of one document.</summary>
    protected virtual Task<Document> ApplyOtherFixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string equivalenceKey, CancellationToken cancellationToken)
        => Task.FromResult(document);

    // Two fixes in one non-async method both make it async: independent batch edits would conflict,
    // so Fix All rewrites each document in one pass.
    public sealed override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create(async (context, document, diagnostics) => context.CodeActionEquivalenceKey == EquivalenceKey
            ? await FixDocumentAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false)
            : await ApplyOtherFixAsync(document, diagnostics, context.CodeActionEquivalenceKey ?? string.Empty, context.CancellationToken).ConfigureAwait(false));

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !KnownTypes.TryCreate(model.Compilation, out var types))
            return;

        var configureAwaitFalse = AwaitSyntax.FileUsesConfigureAwaitFalse(root);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (TryPlan(root, model, types, diagnostic, configureAwaitFalse, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title(diagnostic), ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), ct), EquivalenceKey),
                    diagnostic);
            }

            foreach (var (title, key) in OtherFixes(root, diagnostic))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => ApplyOtherFixAsync(context.Document, ImmutableArray.Create(diagnostic), key, ct), key),
                    diagnostic);
            }
        }
    }

    private async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !KnownTypes.TryCreate(model.Compilation, out var types))
            return document;

        var configureAwaitFalse = AwaitSyntax.FileUsesConfigureAwaitFalse(root);
        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        var functionsToMakeAsync = new Dictionary<SyntaxNode, AsyncReturnShape>();
        // Innermost first, so that an outer replacement is built from its already fixed inside.
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Length).ThenBy(d => d.Location.SourceSpan.Start))
        {
            if (TryPlan(root, model, types, diagnostic, configureAwaitFalse, cancellationToken) is not { } plan)
                continue;
            var edit = plan.Edit;
            if (edit.InsertsAfter)
            {
                editor.InsertAfter(edit.Target, edit.Build(edit.Target).WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation));
            }
            else
            {
                var target = edit.Target;
                editor.ReplaceNode(target, (current, _) =>
                {
                    var built = edit.Build(current);
                    if (target is ExpressionSyntax expression && built is ExpressionSyntax replacement)
                        built = AwaitSyntax.ParenthesizeIfNeeded(expression, replacement);
                    return built.WithTriviaFrom(current).WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
                });
            }
            if (plan.Function is { } function)
                functionsToMakeAsync[function] = plan.Shape;
        }

        foreach (var pair in functionsToMakeAsync)
            editor.ReplaceNode(pair.Key, (current, _) => AsyncConversion.Apply(current, pair.Value, configureAwaitFalse));

        return await FixedDocuments.WithRootAsync(document, editor.GetChangedRoot(), cancellationToken).ConfigureAwait(false);
    }

    private sealed class Plan
    {
        public Plan(AwaitEdit edit, SyntaxNode? function, AsyncReturnShape shape)
        {
            Edit = edit;
            Function = function;
            Shape = shape;
        }

        public AwaitEdit Edit { get; }
        public SyntaxNode? Function { get; }
        public AsyncReturnShape Shape { get; }
    }

    private Plan? TryPlan(SyntaxNode root, SemanticModel model, KnownTypes types, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken)
    {
        if (GetEdit(root, model, diagnostic, configureAwaitFalse, cancellationToken) is not { } edit
            || !FunctionSyntax.CanAwaitAt(edit.Target))
            return null;

        if (!diagnostic.Properties.ContainsKey(DiagnosticProperties.MakeEnclosingAsync))
            return new Plan(edit, null, default);

        if (FunctionSyntax.GetEnclosingFunction(edit.Target) is not { } function
            || !AsyncConversion.TryPlan(function, model, types, out var shape, cancellationToken, AllowsSignatureChange))
            return null;
        return new Plan(edit, function, shape);
    }

    /// <summary>The diagnostic's node, as the analyzer reported it.</summary>
    protected static SyntaxNode? FindNode(SyntaxNode root, Diagnostic diagnostic)
        => root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
}
