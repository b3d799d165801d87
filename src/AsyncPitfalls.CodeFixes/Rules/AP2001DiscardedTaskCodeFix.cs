using System.Collections.Immutable;
using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2001: "Add await" (making the enclosing function async: void becomes Task except for event
/// handlers, T becomes Task&lt;T&gt;; overrides and interface implementations keep their signature and
/// get no such fix, nor does <c>x?.SaveAsync()</c>, whose await would throw when x is null) and
/// "Discard explicitly" (<c>_ = FooAsync();</c>). Both apply to an expression statement and to the
/// expression body of a void member or lambda (<c>void Save() => store.SaveAsync();</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DiscardedTaskCodeFix)), Shared]
public sealed class DiscardedTaskCodeFix : AwaitInsertingCodeFix
{
    private const string DiscardKey = "AP2001.Discard";

    public DiscardedTaskCodeFix()
        : base(DiagnosticIds.DiscardedTask, "AP2001.AddAwait", allowsSignatureChange: true)
    {
    }

    protected override ImmutableArray<string> OtherEquivalenceKeys { get; } = ImmutableArray.Create(DiscardKey);

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        if (DiscardedExpression(context, diagnostic) is not { } discarded || AwaitSyntax.IsNullConditional(discarded))
            return null;
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        return ReplaceAwaiting("Add await", discarded, current => AwaitSyntax.Await((ExpressionSyntax)current, configureAwaitFalse));
    }

    protected override CodeEdit? GetOtherEdit(EditContext context, Diagnostic diagnostic, string equivalenceKey)
    {
        if (equivalenceKey != DiscardKey || DiscardedExpression(context, diagnostic) is not { } discarded)
            return null;
        return CodeEdit.Replace("Discard explicitly", discarded, current =>
        {
            // The compiler reads '_' as a discard only with the underscore's contextual kind, which the lexer gives it.
            var underscore = SyntaxFactory.Identifier(SyntaxFactory.TriviaList(), SyntaxKind.UnderscoreToken, "_", "_", SyntaxFactory.TriviaList());
            return SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName(underscore), ((ExpressionSyntax)current).WithoutTrivia()).WithTriviaFrom(current);
        });
    }

    /// <summary>
    /// The expression whose value is dropped: an expression statement's, or the expression body of a
    /// function that returns nothing (<c>void Save() => store.SaveAsync();</c>, <c>() => store.SaveAsync()</c>
    /// as an Action). Awaiting or discarding it there is a statement's rewrite in expression form.
    /// </summary>
    /// <remarks>
    /// None for a <c>ContinueWith</c> whose continuation ignores the task it continues: awaiting or discarding the
    /// continuation leaves the first task's exception unobserved, and only its author knows how to handle it.
    /// </remarks>
    private static ExpressionSyntax? DiscardedExpression(EditContext context, Diagnostic diagnostic)
        => diagnostic.Properties.ContainsKey(DiagnosticProperties.ContinuationIgnoresAntecedent) ? null : context.FindNode(diagnostic) switch
        {
            ExpressionSyntax { Parent: ExpressionStatementSyntax } statement => statement,
            ExpressionSyntax { Parent: ArrowExpressionClauseSyntax } body => body,
            ExpressionSyntax { Parent: AnonymousFunctionExpressionSyntax lambda } body when lambda.ExpressionBody == body => body,
            _ => null,
        };
}
