using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5003: passes the token in scope, last by position where the arguments line up, otherwise by name; on an
/// <c>await foreach</c>, hands it to the sequence with <c>.WithCancellation(token)</c>, before a <c>.ConfigureAwait(false)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TokenNotForwardedCodeFix)), Shared]
public sealed class TokenNotForwardedCodeFix : EditCodeFixProvider
{
    public TokenNotForwardedCodeFix()
        : base(DiagnosticIds.TokenNotForwarded, "AP5003.PassToken")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token) || token is null)
            return null;
        if (diagnostic.Properties.TryGetValue(TokenNotForwardedAnalyzer.EnumerationProperty, out var enumeration) && enumeration is not null)
            return WithCancellation(context, diagnostic, token, enumeration == "ConfigureAwait");
        if (context.FindNode(diagnostic) is not InvocationExpressionSyntax invocation
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

    /// <summary><c>await foreach (var x in items)</c> becomes <c>items.WithCancellation(token)</c>; <c>items.ConfigureAwait(false)</c> becomes <c>items.WithCancellation(token).ConfigureAwait(false)</c>.</summary>
    private static CodeEdit? WithCancellation(EditContext context, Diagnostic diagnostic, string token, bool beforeConfigureAwait)
    {
        if (context.FindNode(diagnostic) is not ExpressionSyntax collection
            || collection.Parent is not CommonForEachStatementSyntax loop || loop.Expression != collection)
            return null;
        var sequence = collection;
        if (beforeConfigureAwait)
        {
            if (collection is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } configure })
                return null;
            sequence = configure.Expression;
        }

        // WithCancellation is an extension method of System.Threading.Tasks: import it where the file does not.
        var probe = Append(sequence, token);
        var imported = context.Model.GetSpeculativeSymbolInfo(collection.SpanStart, probe, SpeculativeBindingOption.BindAsExpression).Symbol is IMethodSymbol;
        // Without the import it binds only on an IAsyncEnumerable<T>: a type with GetAsyncEnumerator(token) by pattern has no WithCancellation.
        if (!imported && !(IsAsyncEnumerable(context.Model.GetTypeInfo(sequence).Type)
                && context.Model.Compilation.GetBestType("System.Threading.Tasks.TaskAsyncEnumerableExtensions") is not null))
            return null;
        var edit = CodeEdit.Replace($"Pass '{token}' with WithCancellation", sequence, current => Append((ExpressionSyntax)current, token));
        if (!imported && context.Root is CompilationUnitSyntax unit)
        {
            var endOfLine = SyntaxFactory.LineFeed;
            foreach (var trivia in unit.DescendantTrivia())
            {
                if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    endOfLine = trivia;
                    break;
                }
            }
            edit = edit.AndOnce(unit, current => ((CompilationUnitSyntax)current).AddUsings(
                SyntaxFactory.UsingDirective(SyntaxFactory.ParseName("System.Threading.Tasks")).NormalizeWhitespace().WithTrailingTrivia(endOfLine)));
        }
        return edit;
    }

    private static bool IsAsyncEnumerable(ITypeSymbol? type)
    {
        static bool Is(ITypeSymbol candidate)
            => candidate is INamedTypeSymbol { Name: "IAsyncEnumerable", Arity: 1, ContainingNamespace: { Name: "Generic", ContainingNamespace: { Name: "Collections", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };
        return type is not null && (Is(type) || type.AllInterfaces.Any(Is));
    }

    private static InvocationExpressionSyntax Append(ExpressionSyntax sequence, string token)
    {
        var receiver = sequence.WithoutTrivia();
        if (receiver is not (IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
            or ParenthesizedExpressionSyntax or ThisExpressionSyntax or GenericNameSyntax))
            receiver = SyntaxFactory.ParenthesizedExpression(receiver);
        return SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName("WithCancellation")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token)))))
            .WithTriviaFrom(sequence);
    }
}
