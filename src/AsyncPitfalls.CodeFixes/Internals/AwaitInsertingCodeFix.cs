using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The rewrite a fix wants for one diagnostic: this expression becomes an await expression, built
/// from the expression as it is once fixes inside it have been applied (Fix All of
/// <c>Process(a.Result).Result</c> rewrites the inner wait first).
/// </summary>
public readonly struct AwaitReplacement
{
    public AwaitReplacement(ExpressionSyntax target, System.Func<ExpressionSyntax, ExpressionSyntax> build)
    {
        Target = target;
        Build = build;
    }

    public ExpressionSyntax Target { get; }

    /// <summary>Makes the replacement from the current version of <see cref="Target"/>.</summary>
    public System.Func<ExpressionSyntax, ExpressionSyntax> Build { get; }
}

/// <summary>
/// The shared shape of the fixes that replace a blocking expression with an await (AP1001-AP1003):
/// they only say what replaces what. This class checks that an await may stand there, makes the
/// enclosing function async when the diagnostic asks for it (once per function, also in Fix All),
/// follows the file's ConfigureAwait(false) habit and adds the usings the new code needs.
/// </summary>
public abstract class AwaitInsertingCodeFix : CodeFixProvider
{
    protected abstract string EquivalenceKey { get; }

    protected abstract string Title(Diagnostic diagnostic);

    /// <summary>The replacement for one diagnostic, or null when no safe rewrite exists.</summary>
    protected abstract AwaitReplacement? GetReplacement(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken);

    // Two fixes in one non-async method both make it async: independent batch edits would conflict,
    // so Fix All rewrites each document in one pass.
    public sealed override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create((context, document, diagnostics) => FixDocumentAsync(document, diagnostics, context.CancellationToken)!);

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !KnownTypes.TryCreate(model.Compilation, out var types))
            return;

        var configureAwaitFalse = AwaitSyntax.FileUsesConfigureAwaitFalse(root);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (TryPlan(root, model, types, diagnostic, configureAwaitFalse, context.CancellationToken) is null)
                continue;
            context.RegisterCodeFix(
                CodeAction.Create(Title(diagnostic), ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), ct), EquivalenceKey),
                diagnostic);
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
            var target = plan.Replacement.Target;
            var build = plan.Replacement.Build;
            editor.ReplaceNode(target, (current, _) => AwaitSyntax.ParenthesizeIfNeeded(target, build((ExpressionSyntax)current))
                .WithTriviaFrom(current)
                .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation));
            if (plan.Function is { } function)
                functionsToMakeAsync[function] = plan.Shape;
        }

        foreach (var pair in functionsToMakeAsync)
            editor.ReplaceNode(pair.Key, (current, _) => AsyncConversion.Apply(current, pair.Value, configureAwaitFalse));

        return await FixedDocuments.WithRootAsync(document, editor.GetChangedRoot(), cancellationToken).ConfigureAwait(false);
    }

    private sealed class Plan
    {
        public Plan(AwaitReplacement replacement, SyntaxNode? function, AsyncReturnShape shape)
        {
            Replacement = replacement;
            Function = function;
            Shape = shape;
        }

        public AwaitReplacement Replacement { get; }
        public SyntaxNode? Function { get; }
        public AsyncReturnShape Shape { get; }
    }

    private Plan? TryPlan(SyntaxNode root, SemanticModel model, KnownTypes types, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken)
    {
        if (GetReplacement(root, model, diagnostic, configureAwaitFalse, cancellationToken) is not { } replacement
            || !FunctionSyntax.CanAwaitAt(replacement.Target))
            return null;

        if (!diagnostic.Properties.ContainsKey(DiagnosticProperties.MakeEnclosingAsync))
            return new Plan(replacement, null, default);

        if (FunctionSyntax.GetEnclosingFunction(replacement.Target) is not { } function
            || !AsyncConversion.TryPlan(function, model, types, out var shape, cancellationToken)
            || shape == AsyncReturnShape.VoidToTask)
            return null;
        return new Plan(replacement, function, shape);
    }

    /// <summary>The diagnostic's node, as the analyzer reported it.</summary>
    protected static SyntaxNode? FindNode(SyntaxNode root, Diagnostic diagnostic)
        => root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
}
