using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The shared shape of the fixes that make code await (AP1001-AP1003, AP2001-AP2007): they only say
/// what changes, through <see cref="ReplaceAwaiting"/> or <see cref="InsertAwaitingAfter"/>. This class
/// checks that an await may stand there, makes the enclosing function async when the diagnostic asks
/// for it (once per function, also in Fix All) and gives the new code the clean-up annotations; the
/// file's ConfigureAwait(false) convention is <see cref="EditContext.ConfigureAwaitFalse"/>.
/// </summary>
public abstract class AwaitInsertingCodeFix : EditCodeFixProvider
{
    private readonly bool _allowsSignatureChange;

    /// <param name="allowsSignatureChange">
    /// Whether a synchronous function may change its signature to become async (void to Task, T to
    /// Task&lt;T&gt;). Rules about async code never need it; "add await" in synchronous code does. A
    /// signature that code outside the assembly or a derived type sees changes only in an action of its
    /// own, never in the main fix nor in Fix All (see <see cref="EditCodeFixProvider"/>).
    /// </param>
    protected AwaitInsertingCodeFix(string diagnosticId, string equivalenceKey, bool allowsSignatureChange = false)
        : base(diagnosticId, equivalenceKey)
        => _allowsSignatureChange = allowsSignatureChange;

    /// <summary>
    /// Before the edits, for a fix that may make a synchronous method async: whether another document uses the
    /// method (a search of the solution, once per method and document), so that the change is the main fix only
    /// when every use is in sight. Offers every diagnostic; the edit decides.
    /// </summary>
    protected sealed override async Task<bool> IsOfferedAsync(Document document, EditContext context, Diagnostic diagnostic)
    {
        if (!_allowsSignatureChange || !diagnostic.Properties.ContainsKey(DiagnosticProperties.MakeEnclosingAsync)
            || FunctionSyntax.GetEnclosingFunction(context.FindNode(diagnostic)) is not MethodDeclarationSyntax declaration
            || context.Model.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol method
            || !AsyncConversion.MayBeUsedInOtherDocuments(method) || context.IsUsedInOtherDocuments(method) is not null)
            return true;

        var usedElsewhere = false;
        foreach (var referenced in await SymbolFinder.FindReferencesAsync(method, document.Project.Solution, context.CancellationToken).ConfigureAwait(false))
        {
            if (referenced.Locations.Any(location => location.Document.Id != document.Id))
                usedElsewhere = true;
        }
        context.RecordUsedInOtherDocuments(method, usedElsewhere);
        return true;
    }

    /// <summary>
    /// The signature change, applied on its own, also awaits the method's call statements in the other documents
    /// (in async functions, where an await can go), so that a caller there observes the task instead of dropping it.
    /// Other uses there are left as they are: the action's title says the signature changes.
    /// </summary>
    protected sealed override async Task<Solution> WithOtherDocumentsUpdatedAsync(Document original, Solution fixedSolution, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var root = await original.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await original.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null
            || GetAwaitEdit(new EditContext(root, model, cancellationToken), diagnostic) is not { } edit
            || FunctionSyntax.GetEnclosingFunction(edit.Target) is not MethodDeclarationSyntax declaration
            || model.GetDeclaredSymbol(declaration, cancellationToken) is not IMethodSymbol method)
            return fixedSolution;

        var solution = fixedSolution;
        var references = await SymbolFinder.FindReferencesAsync(method, original.Project.Solution, cancellationToken).ConfigureAwait(false);
        foreach (var inDocument in references.SelectMany(r => r.Locations).Where(l => l.Document.Id != original.Id).GroupBy(l => l.Document.Id))
        {
            // The other documents are still as they were in the original solution.
            var document = original.Project.Solution.GetDocument(inDocument.Key);
            var otherRoot = document is null ? null : await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var otherModel = document is null ? null : await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (otherRoot is null || otherModel is null)
                continue;
            var calls = inDocument
                .Select(l => otherRoot.FindNode(l.Location.SourceSpan, getInnermostNodeForTie: true) is SimpleNameSyntax name ? AsyncConversion.AwaitableCallStatement(name, otherModel, cancellationToken) : null)
                .OfType<InvocationExpressionSyntax>()
                .ToList();
            if (calls.Count == 0)
                continue;
            var configureAwaitFalse = AwaitSyntax.FileUsesConfigureAwaitFalse(otherRoot);
            var newRoot = otherRoot.ReplaceNodes(calls, (_, current) => AwaitSyntax.Await(current.WithoutTrivia(), configureAwaitFalse)
                .WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
            solution = solution.WithDocumentSyntaxRoot(inDocument.Key, newRoot);
        }
        return solution;
    }

    /// <summary>The edit that awaits, for one diagnostic, or null when no safe rewrite exists.</summary>
    protected abstract CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic);

    protected sealed override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.Types is not { } types
            || GetAwaitEdit(context, diagnostic) is not { } edit
            || !FunctionSyntax.CanAwaitAt(edit.Target, context.Model, context.CancellationToken))
            return null;

        if (!diagnostic.Properties.ContainsKey(DiagnosticProperties.MakeEnclosingAsync))
            return edit;

        if (FunctionSyntax.GetEnclosingFunction(edit.Target) is not { } function
            || !AsyncConversion.TryPlan(function, context.Model, types, out var shape, out var callsToAwait, context.CancellationToken, _allowsSignatureChange))
            return null;
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        edit = edit.AndOnce(function, current => AsyncConversion.Apply(current, shape, configureAwaitFalse));
        // The method's call statements in this document await the task it now returns.
        foreach (var call in callsToAwait)
        {
            edit = edit.AndOnce(call, current => AwaitSyntax.Await(((ExpressionSyntax)current).WithoutTrivia(), configureAwaitFalse)
                .WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
        }
        // Callers this fix cannot see would break or drop the task (a decimal method now returns Task<decimal>): offered on its own.
        return AsyncConversion.SignatureChangeOthersMaySee(function, shape, context.Model, context.IsUsedInOtherDocuments, context.CancellationToken) is { } method
            ? edit.ChangingSignatureOf(method)
            : edit;
    }

    /// <summary>
    /// Replaces <paramref name="target"/> with code that awaits, built from its current version; in
    /// parentheses where it replaces an operand that binds tighter, with the target's trivia.
    /// </summary>
    protected static CodeEdit ReplaceAwaiting(string title, SyntaxNode target, Func<SyntaxNode, SyntaxNode> build)
        => CodeEdit.Replace(title, target, current =>
        {
            var built = build(current);
            if (target is ExpressionSyntax expression && built is ExpressionSyntax replacement)
                built = AwaitSyntax.ParenthesizeIfNeeded(expression, replacement);
            return built.WithTriviaFrom(current).WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
        });

    /// <summary>Inserts an awaiting statement after <paramref name="anchor"/>, which stays.</summary>
    protected static CodeEdit InsertAwaitingAfter(string title, StatementSyntax anchor, StatementSyntax statement)
        => CodeEdit.InsertAfter(title, anchor, statement.WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation));
}
