using System.Composition;
using System.Linq;
using System.Threading;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1003: <c>x.Name(args)</c> becomes <c>await x.NameAsync(args, token)</c>, passing the
/// CancellationToken in scope when the counterpart takes one (by name when positions would not line
/// up), and makes a Task-returning function async when it is not yet.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncCounterpartCodeFix)), Shared]
public sealed class AsyncCounterpartCodeFix : AwaitInsertingCodeFix
{
    public AsyncCounterpartCodeFix()
        : base(DiagnosticIds.AsyncCounterpartInAsyncCode, "AP1003.AwaitCounterpart")
    {
    }

    private static string Title(Diagnostic diagnostic)
        => $"Use 'await {diagnostic.Properties[AsyncCounterpartAnalyzer.CounterpartProperty]}'";

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindNode(diagnostic) is not InvocationExpressionSyntax invocation
            || !diagnostic.Properties.TryGetValue(AsyncCounterpartAnalyzer.CounterpartProperty, out var counterpart) || counterpart is null
            || diagnostic.Properties.ContainsKey(AsyncCounterpartAnalyzer.UnboundArgumentProperty)
            || RenameCall(invocation.Expression, counterpart) is null)
            return null;

        var token = TokenArgument(diagnostic, context.Model, invocation, context.CancellationToken);
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        return ReplaceAwaiting(Title(diagnostic), invocation, current =>
        {
            var call = (InvocationExpressionSyntax)current;
            var arguments = token is null ? call.ArgumentList : call.ArgumentList.AddArguments(token);
            return AwaitSyntax.Await(call.WithExpression(RenameCall(call.Expression, counterpart)!).WithArgumentList(arguments).WithoutTrivia(), configureAwaitFalse);
        });
    }

    /// <summary>The same call with the counterpart's name; null for shapes an await cannot wrap (<c>x?.Read()</c>).</summary>
    private static ExpressionSyntax? RenameCall(ExpressionSyntax expression, string name) => expression switch
    {
        MemberAccessExpressionSyntax member => member.WithName(Rename(member.Name, name)),
        SimpleNameSyntax simple => Rename(simple, name),
        _ => null,
    };

    private static SimpleNameSyntax Rename(SimpleNameSyntax name, string newName) => name switch
    {
        GenericNameSyntax generic => generic.WithIdentifier(SyntaxFactory.Identifier(newName).WithTriviaFrom(generic.Identifier)),
        _ => SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(newName).WithTriviaFrom(name.GetFirstToken())),
    };

    private static ArgumentSyntax? TokenArgument(Diagnostic diagnostic, SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(AsyncCounterpartAnalyzer.TokenParameterProperty, out var parameterName) || parameterName is null)
            return null;

        ExpressionSyntax token;
        if (diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var inScope) && inScope is not null)
            token = SyntaxFactory.ParseExpression(inScope);
        else if (diagnostic.Properties.ContainsKey(AsyncCounterpartAnalyzer.TokenRequiredProperty))
            token = SyntaxFactory.ParseExpression("global::System.Threading.CancellationToken.None").WithAdditionalAnnotations(Simplifier.Annotation);
        else
            return null;

        // Positionally only when every parameter before the token is given positionally; otherwise by name.
        var arguments = invocation.ArgumentList.Arguments;
        var positional = arguments.All(a => a.NameColon is null)
            && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method
            && arguments.Count == method.Parameters.Length;
        var argument = SyntaxFactory.Argument(token);
        return positional ? argument : argument.WithNameColon(SyntaxFactory.NameColon(parameterName));
    }
}
