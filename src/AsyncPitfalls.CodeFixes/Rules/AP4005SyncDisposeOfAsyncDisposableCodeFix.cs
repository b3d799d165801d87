using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP4005: <c>using</c> becomes <c>await using</c>; <c>x.Dispose()</c> becomes <c>await x.DisposeAsync()</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SyncDisposeOfAsyncDisposableCodeFix)), Shared]
public sealed class SyncDisposeOfAsyncDisposableCodeFix : EditCodeFixProvider
{
    private const string Title = "Use 'await using'";

    public SyncDisposeOfAsyncDisposableCodeFix()
        : base(DiagnosticIds.SyncDisposeOfAsyncDisposable, "AP4005.AwaitUsing")
    {
    }

    // The shared answer to "can an await go here": not in a lock body, nor beside a ref struct local below C# 13.
    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
        => GetAwaitingEdit(context, diagnostic) is { } edit && FunctionSyntax.CanAwaitAt(edit.Target, context.Model, context.CancellationToken)
            ? edit
            : null;

    private static CodeEdit? GetAwaitingEdit(EditContext context, Diagnostic diagnostic)
    {
        var token = context.FindToken(diagnostic);
        switch (token.Parent)
        {
            case LocalDeclarationStatementSyntax declaration when token.IsKind(SyntaxKind.UsingKeyword):
                return CodeEdit.Replace(Title, declaration, current =>
                {
                    var statement = (LocalDeclarationStatementSyntax)current;
                    return statement.WithAwaitKeyword(AwaitKeyword(statement.UsingKeyword)).WithUsingKeyword(statement.UsingKeyword.WithLeadingTrivia());
                });
            case UsingStatementSyntax statement when token.IsKind(SyntaxKind.UsingKeyword):
                return CodeEdit.Replace(Title, statement, current =>
                {
                    var @using = (UsingStatementSyntax)current;
                    return @using.WithAwaitKeyword(AwaitKeyword(@using.UsingKeyword)).WithUsingKeyword(@using.UsingKeyword.WithLeadingTrivia());
                });
            default:
                if (context.FindNode(diagnostic) is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } dispose)
                    return null;
                return CodeEdit.Replace(Title, dispose, current =>
                {
                    var invocation = (InvocationExpressionSyntax)current;
                    var access = (MemberAccessExpressionSyntax)invocation.Expression;
                    return SyntaxFactory.AwaitExpression(invocation.WithExpression(access.WithName(SyntaxFactory.IdentifierName("DisposeAsync"))).WithoutTrivia()).WithTriviaFrom(invocation);
                });
        }
    }

    /// <summary>'await ' in front of the using keyword, taking over its leading trivia.</summary>
    private static SyntaxToken AwaitKeyword(SyntaxToken usingKeyword)
        => SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space).WithLeadingTrivia(usingKeyword.LeadingTrivia);
}
