using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2006: <c>Task.Factory.StartNew(async ...)</c> (alone, or with a CancellationToken) becomes
/// <c>Task.Run(async ...)</c>, which unwraps. With creation options or a scheduler, and for
/// <c>new Task(async ...)</c>, the right rewrite depends on intent: no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NestedTaskCodeFix)), Shared]
public sealed class NestedTaskCodeFix : EditCodeFixProvider
{
    public NestedTaskCodeFix()
        : base(DiagnosticIds.NestedTask, "AP2006.TaskRun")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindNode(diagnostic) is not InvocationExpressionSyntax startNew
            || context.Model.GetSymbolInfo(startNew, context.CancellationToken).Symbol is not IMethodSymbol method
            || !(method.Parameters.Length == 1 || method.Parameters.Length == 2 && method.Parameters[1].Type.Name == "CancellationToken"))
            return null;

        return CodeEdit.Replace("Use Task.Run", startNew, current =>
        {
            var invocation = (InvocationExpressionSyntax)current;
            var run = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("Run"));
            return invocation.WithExpression(run.WithTriviaFrom(invocation.Expression));
        });
    }
}
