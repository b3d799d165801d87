using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1002: replaces <c>Thread.Sleep(x)</c> with <c>await Task.Delay(x, token)</c>, passing the
/// CancellationToken in scope, and makes a Task-returning function async when it is not yet.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ThreadSleepCodeFix)), Shared]
public sealed class ThreadSleepCodeFix : AwaitInsertingCodeFix
{
    public ThreadSleepCodeFix()
        : base(DiagnosticIds.ThreadSleepInAsyncCode, "AP1002.AwaitTaskDelay")
    {
    }

    private static string Title(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token)
            ? $"Use 'await Task.Delay' with '{token}'"
            : "Use 'await Task.Delay'";

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindNode(diagnostic) is not InvocationExpressionSyntax sleep)
            return null;
        diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var token);
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        return ReplaceAwaiting(Title(diagnostic), sleep, current => AwaitSyntax.Await(Delay((InvocationExpressionSyntax)current, token), configureAwaitFalse));
    }

    private static InvocationExpressionSyntax Delay(InvocationExpressionSyntax sleep, string? token)
    {
        // Task.Delay names its parameters differently from Thread.Sleep: keep the values, drop the names.
        var arguments = sleep.ArgumentList.Arguments.Select(a => a.WithNameColon(null)).ToList();
        if (token is not null)
            arguments.Add(SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token)));
        return SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("Delay")),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
    }
}
