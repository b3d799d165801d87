using System.Collections.Generic;
using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2005: <c>list.ForEach(async x => body)</c> becomes <c>foreach (var x in list) body</c> (its
/// returns become continues), and <c>Parallel.ForEach(source, async x => body)</c> becomes
/// <c>await Parallel.ForEachAsync(source, async (x, _) => body)</c>; other delegates get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncLambdaToVoidDelegateCodeFix)), Shared]
public sealed class AsyncLambdaToVoidDelegateCodeFix : AwaitInsertingCodeFix
{
    public AsyncLambdaToVoidDelegateCodeFix()
        : base(DiagnosticIds.AsyncLambdaToVoidDelegate, "AP2005.AwaitableLoop", allowsSignatureChange: true)
    {
    }

    private static string Title(Diagnostic diagnostic)
        => Shape(diagnostic) == "ListForEach" ? "Use foreach with await" : "Use 'await Parallel.ForEachAsync'";

    private static string? Shape(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(AsyncLambdaToVoidDelegateAnalyzer.CallShapeProperty, out var shape) ? shape : null;

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindNode(diagnostic) is not AnonymousFunctionExpressionSyntax lambda
            || lambda.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } arguments }
            || call.Parent is not ExpressionStatementSyntax)
            return null;

        var title = Title(diagnostic);
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        switch (Shape(diagnostic))
        {
            case "ListForEach" when call.Expression is MemberAccessExpressionSyntax access && arguments.Arguments.Count == 1
                && Parameters(lambda) is { Count: 1 } parameters && call.Parent is ExpressionStatementSyntax statement:
                return ReplaceAwaiting(title, statement, _ => ForEach(access.Expression, parameters[0], lambda));

            case "ParallelForEach" when Parameters(lambda) is { Count: 1 } parameters
                && context.Types?.Parallel?.GetMembers("ForEachAsync").Any() == true
                && arguments.Arguments.Count is 2 or 3 && arguments.Arguments.Last().Expression == lambda:
                var tokenName = TokenParameterName(parameters[0], lambda);
                return ReplaceAwaiting(title, call, current =>
                {
                    var invocation = (InvocationExpressionSyntax)current;
                    var newLambda = SyntaxFactory.ParenthesizedLambdaExpression(
                            SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(new[] { parameters[0].WithoutTrivia(), SyntaxFactory.Parameter(SyntaxFactory.Identifier(tokenName)) })),
                            lambda.Block, lambda.ExpressionBody)
                        .WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space));
                    var newArguments = invocation.ArgumentList.Arguments.RemoveAt(invocation.ArgumentList.Arguments.Count - 1).Add(SyntaxFactory.Argument(newLambda));
                    var renamed = ((MemberAccessExpressionSyntax)invocation.Expression).WithName(SyntaxFactory.IdentifierName("ForEachAsync"));
                    return AwaitSyntax.Await(invocation.WithExpression(renamed).WithArgumentList(invocation.ArgumentList.WithArguments(newArguments)), configureAwaitFalse);
                });

            default:
                return null;
        }
    }

    /// <summary>
    /// '_' for the token ForEachAsync passes, unless the item is already '_': two '_' parameters are one name
    /// declared twice below C# 9 (CS0100), and from C# 9 two discards, so the body's '_' would no longer be the item.
    /// Then a name unused in the member, so that it shadows nothing (an error below C# 8).
    /// </summary>
    private static string TokenParameterName(ParameterSyntax item, AnonymousFunctionExpressionSyntax lambda)
    {
        if (item.Identifier.ValueText != "_")
            return "_";
        var scope = (SyntaxNode?)lambda.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? lambda.SyntaxTree.GetRoot();
        var used = new HashSet<string>(scope.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        var name = "cancellationToken";
        for (var i = 2; used.Contains(name); i++)
            name = "cancellationToken" + i;
        return name;
    }

    private static List<ParameterSyntax>? Parameters(AnonymousFunctionExpressionSyntax lambda) => lambda switch
    {
        SimpleLambdaExpressionSyntax simple => new List<ParameterSyntax> { simple.Parameter },
        ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters.ToList(),
        _ => null,
    };

    private static ForEachStatementSyntax ForEach(ExpressionSyntax collection, ParameterSyntax parameter, AnonymousFunctionExpressionSyntax lambda)
    {
        var body = lambda.Block is { } block
            ? (BlockSyntax)new ReturnToContinue().Visit(block)!
            : SyntaxFactory.Block(SyntaxFactory.ExpressionStatement((ExpressionSyntax)lambda.ExpressionBody!));
        var type = parameter.Type ?? SyntaxFactory.IdentifierName("var");
        return SyntaxFactory.ForEachStatement(type.WithoutTrivia(), parameter.Identifier.WithoutTrivia(), collection.WithoutTrivia(), body)
            .WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>A return in the lambda ended one item: in the loop that is a continue. Nested functions keep theirs.</summary>
    private sealed class ReturnToContinue : CSharpSyntaxRewriter
    {
        public override SyntaxNode? VisitReturnStatement(ReturnStatementSyntax node)
            => SyntaxFactory.ContinueStatement().WithTriviaFrom(node);

        public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) => node;
        public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) => node;
        public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node) => node;
        public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node) => node;
    }
}
