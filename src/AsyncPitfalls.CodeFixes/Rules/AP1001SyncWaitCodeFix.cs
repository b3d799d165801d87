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
/// AP1001: <c>t.Result</c>, <c>t.Wait()</c> and <c>t.GetAwaiter().GetResult()</c> become
/// <c>await t</c>; <c>Task.WaitAll(...)</c> becomes <c>await Task.WhenAll(...)</c>; <c>Task.WaitAny(...)</c>
/// becomes <c>await Task.WhenAny(...)</c> where its index is unused, or
/// <c>Array.IndexOf(tasks, await Task.WhenAny(tasks))</c> where it is used on an array variable.
/// Waits with a timeout or token have no equivalent await and get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SyncWaitCodeFix)), Shared]
public sealed class SyncWaitCodeFix : AwaitInsertingCodeFix
{
    public SyncWaitCodeFix()
        : base(DiagnosticIds.SyncWaitInAsyncCode, "AP1001.Await")
    {
    }

    private static string Title(Diagnostic diagnostic) => Kind(diagnostic) switch
    {
        nameof(TaskWaitKind.WaitAll) => "Use 'await Task.WhenAll'",
        nameof(TaskWaitKind.WaitAny) => "Use 'await Task.WhenAny'",
        _ => "Use 'await'",
    };

    private static string? Kind(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(SyncWaitAnalyzer.WaitKindProperty, out var kind) ? kind : null;

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        var model = context.Model;
        var cancellationToken = context.CancellationToken;
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        var title = Title(diagnostic);
        var node = context.FindNode(diagnostic);
        switch (Kind(diagnostic))
        {
            case nameof(TaskWaitKind.Result) when node is MemberAccessExpressionSyntax result:
                return ReplaceAwaiting(title, result, current => AwaitSyntax.Await(((MemberAccessExpressionSyntax)current).Expression, configureAwaitFalse));

            case nameof(TaskWaitKind.Wait) when node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax, ArgumentList.Arguments.Count: 0 } wait:
                return ReplaceAwaiting(title, wait, current => AwaitSyntax.Await(Receiver((ExpressionSyntax)current), configureAwaitFalse));

            case nameof(TaskWaitKind.GetResult) when node is InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } },
            } getResult:
                return ReplaceAwaiting(title, getResult, current =>
                {
                    // 't.ConfigureAwait(false).GetAwaiter().GetResult()' is awaited as written.
                    var awaited = Receiver((ExpressionSyntax)((MemberAccessExpressionSyntax)((InvocationExpressionSyntax)current).Expression).Expression);
                    var configured = awaited is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } };
                    return AwaitSyntax.Await(awaited, configureAwaitFalse && !configured);
                });

            case nameof(TaskWaitKind.WaitAll) when node is InvocationExpressionSyntax waitAll && OnlyTasks(model, waitAll, cancellationToken):
                return ReplaceAwaiting(title, waitAll, current => AwaitSyntax.Await(WhenCall((InvocationExpressionSyntax)current, "WhenAll"), configureAwaitFalse));

            case nameof(TaskWaitKind.WaitAny) when node is InvocationExpressionSyntax waitAny && OnlyTasks(model, waitAny, cancellationToken):
                if (waitAny.Parent is ExpressionStatementSyntax)
                    return ReplaceAwaiting(title, waitAny, current => AwaitSyntax.Await(WhenCall((InvocationExpressionSyntax)current, "WhenAny"), configureAwaitFalse));
                // The index is used: keep it, when the tasks are one array variable that can be named twice.
                if (waitAny.ArgumentList.Arguments.Count == 1 && waitAny.ArgumentList.Arguments[0].Expression is IdentifierNameSyntax array
                    && model.GetTypeInfo(array, cancellationToken).Type is IArrayTypeSymbol)
                {
                    return ReplaceAwaiting(title, waitAny, current =>
                    {
                        var whenAny = AwaitSyntax.Await(WhenCall((InvocationExpressionSyntax)current, "WhenAny"), configureAwaitFalse);
                        var arrayType = SyntaxFactory.ParseTypeName("global::System.Array").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
                        return SyntaxFactory.InvocationExpression(
                            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, arrayType, SyntaxFactory.IdentifierName("IndexOf")),
                            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[] { SyntaxFactory.Argument(array.WithoutTrivia()), SyntaxFactory.Argument(whenAny) })));
                    });
                }
                return null;

            default:
                return null;
        }
    }

    private static ExpressionSyntax Receiver(ExpressionSyntax invocation)
        => ((MemberAccessExpressionSyntax)((InvocationExpressionSyntax)invocation).Expression).Expression;

    /// <summary>The overload waits on tasks only: no timeout and no token, which WhenAll/WhenAny cannot take.</summary>
    private static bool OnlyTasks(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
        => model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method
            && method.Parameters.Length == 1
            && method.Parameters[0].Type is IArrayTypeSymbol or INamedTypeSymbol { Name: "ReadOnlySpan" or "IEnumerable" };

    private static InvocationExpressionSyntax WhenCall(InvocationExpressionSyntax wait, string name)
        => SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName(name)),
            wait.ArgumentList.WithoutTrivia());
}
