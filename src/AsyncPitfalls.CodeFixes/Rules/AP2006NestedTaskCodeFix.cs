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
            || !(method.Parameters.Length == 1 || method.Parameters.Length == 2 && method.Parameters[1].Type.Name == "CancellationToken")
            || !KeepsTypes(startNew, context.Model, context.CancellationToken))
            return null;

        return CodeEdit.Replace("Use Task.Run", startNew, current =>
        {
            var invocation = (InvocationExpressionSyntax)current;
            var run = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("Run"));
            return invocation.WithExpression(run.WithTriviaFrom(invocation.Expression));
        });
    }

    /// <summary>
    /// Task.Run unwraps: it gives Task or Task&lt;T&gt; where StartNew gave Task&lt;Task&gt; or
    /// Task&lt;Task&lt;T&gt;&gt;. Only where that type change is invisible: a statement, an awaited statement,
    /// or a value converted to Task. Not for <c>Task&lt;Task&lt;int&gt;&gt; outer = StartNew(...)</c>, nor a
    /// <c>var</c> local or an await whose result the code goes on using as a task.
    /// </summary>
    private static bool KeepsTypes(ExpressionSyntax startNew, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        var value = startNew;
        while (value.Parent is ParenthesizedExpressionSyntax parenthesized)
            value = parenthesized;
        if (value.Parent is ExpressionStatementSyntax || value.Parent is AwaitExpressionSyntax { Parent: ExpressionStatementSyntax })
            return true;
        var converted = model.GetTypeInfo(value, cancellationToken).ConvertedType;
        return converted is INamedTypeSymbol { Name: "Task", Arity: 0, ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } };
    }
}
