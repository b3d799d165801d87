using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP5003: passes the token in scope, last by position where the arguments line up, otherwise by name.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TokenNotForwardedCodeFix)), Shared]
public sealed class TokenNotForwardedCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP5003.PassToken";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TokenNotForwarded);

    // Calls nest (Outer(Inner())): every edit adds to the current argument list, innermost first.
    public override FixAllProvider GetFixAllProvider() => SyntaxEditorFixAll.Create(EditFor);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root is null || model is null || EditFor(root, model, diagnostic, context.CancellationToken) is null)
                continue;
            context.RegisterCodeFix(CodeAction.Create($"Pass '{diagnostic.Properties[DiagnosticProperties.CancellationToken]}'",
                ct => SyntaxEditorFixAll.ApplyAsync(context.Document, ImmutableArray.Create(diagnostic), EditFor, ct), EquivalenceKey), diagnostic);
        }
    }

    private static (SyntaxNode, System.Func<SyntaxNode, SyntaxNode>)? EditFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
            || !diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token) || token is null
            || !diagnostic.Properties.TryGetValue(TokenNotForwardedAnalyzer.ParameterProperty, out var parameter) || parameter is null)
            return null;
        var positional = diagnostic.Properties.ContainsKey(TokenNotForwardedAnalyzer.PositionalProperty);
        return (invocation.ArgumentList, current =>
        {
            var argument = SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token));
            if (!positional)
                argument = argument.WithNameColon(SyntaxFactory.NameColon(parameter));
            return ((ArgumentListSyntax)current).AddArguments(argument);
        });
    }
}
