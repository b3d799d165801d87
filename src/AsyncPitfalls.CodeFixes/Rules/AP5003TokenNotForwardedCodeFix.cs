using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP5003: passes the token in scope, last by position where the arguments line up, otherwise by name.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TokenNotForwardedCodeFix)), Shared]
public sealed class TokenNotForwardedCodeFix : EditCodeFixProvider
{
    public TokenNotForwardedCodeFix()
        : base(DiagnosticIds.TokenNotForwarded, "AP5003.PassToken")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindNode(diagnostic) is not InvocationExpressionSyntax invocation
            || !diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token) || token is null
            || !diagnostic.Properties.TryGetValue(TokenNotForwardedAnalyzer.ParameterProperty, out var parameter) || parameter is null)
            return null;
        var positional = diagnostic.Properties.ContainsKey(TokenNotForwardedAnalyzer.PositionalProperty);
        // Calls nest (Outer(Inner())): the token is added to the current argument list, after the inner fix.
        return CodeEdit.Replace($"Pass '{token}'", invocation.ArgumentList, current =>
        {
            var argument = SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token));
            if (!positional)
                argument = argument.WithNameColon(SyntaxFactory.NameColon(parameter));
            return ((ArgumentListSyntax)current).AddArguments(argument);
        });
    }
}
