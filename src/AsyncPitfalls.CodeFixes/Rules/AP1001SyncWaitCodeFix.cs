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
/// <c>Array.IndexOf(tasks, await Task.WhenAny(tasks))</c> where it is used on an array variable, unless
/// that WhenAny would leave the other tasks running (AP5005); <c>t.Wait(token)</c> becomes
/// <c>await t.WaitAsync(token)</c> where the framework has WaitAsync. Waits with a timeout return false
/// where an await would throw: no fix.
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

            // Wait(token) throws OperationCanceledException when the token fires, as WaitAsync(token) does.
            case nameof(TaskWaitKind.Wait) when node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax, ArgumentList.Arguments.Count: 1 } waitWithToken
                && TakesOnlyAToken(model, waitWithToken, context.Types, cancellationToken):
                return ReplaceAwaiting("Use 'await ...WaitAsync(token)'", waitWithToken, current =>
                {
                    var wait = (InvocationExpressionSyntax)current;
                    var waitAsync = SyntaxFactory.InvocationExpression(
                        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Receiver(wait), SyntaxFactory.IdentifierName("WaitAsync")),
                        SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(wait.ArgumentList.Arguments[0].WithNameColon(null))));
                    return AwaitSyntax.Await(waitAsync, configureAwaitFalse);
                });

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

            // Not where the WhenAny would leave the other tasks running: AP5005 would report the fixed code.
            case nameof(TaskWaitKind.WaitAny) when node is InvocationExpressionSyntax waitAny && OnlyTasks(model, waitAny, cancellationToken)
                && !diagnostic.Properties.ContainsKey(SyncWaitAnalyzer.LeavesTasksRunningProperty):
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

    /// <summary>
    /// <c>t.Wait(token)</c>, where the task's type has its own <c>WaitAsync(CancellationToken)</c> (.NET 6 and
    /// later; not netstandard2.0 or .NET Framework). The overloads with a timeout return false when it passes,
    /// where WaitAsync throws: they get no fix.
    /// </summary>
    private static bool TakesOnlyAToken(SemanticModel model, InvocationExpressionSyntax wait, KnownTypes? types, CancellationToken cancellationToken)
    {
        if (types is null
            || model.GetSymbolInfo(wait, cancellationToken).Symbol is not IMethodSymbol { Parameters.Length: 1 } method
            || !CancellationTokens.IsCancellationToken(method.Parameters[0].Type, types))
            return false;
        for (var type = method.ContainingType; type is not null; type = type.BaseType)
        {
            if (type.GetMembers("WaitAsync").Any(m => m is IMethodSymbol { IsStatic: false, Parameters.Length: 1 } waitAsync
                && CancellationTokens.IsCancellationToken(waitAsync.Parameters[0].Type, types)))
                return true;
        }
        return false;
    }

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
