using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1002: replaces <c>Thread.Sleep(x)</c> with <c>await Task.Delay(x, token)</c>, passing the
/// CancellationToken in scope, and makes a Task-returning function async when it is not yet.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ThreadSleepCodeFix)), Shared]
public sealed class ThreadSleepCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP1002.AwaitTaskDelay";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ThreadSleepInAsyncCode);

    // Two sleeps in one non-async method both make it async: a batch of independent edits would
    // conflict, so Fix All rewrites each document in one pass.
    public override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create((context, document, diagnostics) => FixDocumentAsync(document, diagnostics, context.CancellationToken)!);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !KnownTypes.TryCreate(model.Compilation, out var types))
            return;

        foreach (var diagnostic in context.Diagnostics)
        {
            if (TryGetEdit(root, model, types, diagnostic, context.CancellationToken) is null)
                continue;
            var title = diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token)
                ? $"Use 'await Task.Delay' with '{token}'"
                : "Use 'await Task.Delay'";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !KnownTypes.TryCreate(model.Compilation, out var types))
            return document;

        var configureAwaitFalse = AwaitSyntax.FileUsesConfigureAwaitFalse(root);
        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        var functionsToMakeAsync = new Dictionary<SyntaxNode, AsyncReturnShape>();
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            if (TryGetEdit(root, model, types, diagnostic, cancellationToken) is not { } edit)
                continue;
            editor.ReplaceNode(edit.Sleep, CreateDelay(edit.Sleep, diagnostic, configureAwaitFalse));
            if (edit.FunctionToMakeAsync is { } function)
                functionsToMakeAsync[function] = edit.Shape;
        }

        foreach (var pair in functionsToMakeAsync)
            editor.ReplaceNode(pair.Key, (current, _) => AsyncConversion.Apply(current, pair.Value, configureAwaitFalse));

        return await FixedDocuments.WithRootAsync(document, editor.GetChangedRoot(), cancellationToken).ConfigureAwait(false);
    }

    private readonly struct Edit
    {
        public Edit(InvocationExpressionSyntax sleep, SyntaxNode? functionToMakeAsync, AsyncReturnShape shape)
        {
            Sleep = sleep;
            FunctionToMakeAsync = functionToMakeAsync;
            Shape = shape;
        }

        public InvocationExpressionSyntax Sleep { get; }
        public SyntaxNode? FunctionToMakeAsync { get; }
        public AsyncReturnShape Shape { get; }
    }

    private static Edit? TryGetEdit(SyntaxNode root, SemanticModel model, KnownTypes types, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax sleep
            || !FunctionSyntax.CanAwaitAt(sleep))
            return null;

        if (!diagnostic.Properties.ContainsKey(DiagnosticProperties.MakeEnclosingAsync))
            return new Edit(sleep, null, default);

        if (FunctionSyntax.GetEnclosingFunction(sleep) is not { } function
            || !AsyncConversion.TryPlan(function, model, types, out var shape, cancellationToken)
            || shape == AsyncReturnShape.VoidToTask)
            return null;
        return new Edit(sleep, function, shape);
    }

    private static AwaitExpressionSyntax CreateDelay(InvocationExpressionSyntax sleep, Diagnostic diagnostic, bool configureAwaitFalse)
    {
        // Task.Delay names its parameters differently from Thread.Sleep: keep the values, drop the names.
        var arguments = sleep.ArgumentList.Arguments.Select(a => a.WithNameColon(null)).ToList();
        if (diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token) && token is not null)
            arguments.Add(SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token)));

        var delay = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("Delay")),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
        return AwaitSyntax.Await(delay, configureAwaitFalse)
            .WithTriviaFrom(sleep)
            .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
    }
}
