using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
            || !AsyncConversion.TryPlan(function, context.Model, types, out var shape, context.CancellationToken, _allowsSignatureChange))
            return null;
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        edit = edit.AndOnce(function, current => AsyncConversion.Apply(current, shape, configureAwaitFalse));
        // Callers this fix cannot see would break (a decimal method now returns Task<decimal>): offered on its own.
        return AsyncConversion.VisibleSignatureChange(function, shape, context.Model, context.CancellationToken) is { } method
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
