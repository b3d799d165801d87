using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2006: <c>Task.Factory.StartNew(async ...)</c> (alone, or with a CancellationToken) becomes
/// <c>Task.Run(async ...)</c>, which unwraps. A call that Task.Run cannot express (creation options, a
/// scheduler, a state argument, a TaskFactory of the code's own) keeps its arguments and gets
/// <c>.Unwrap()</c>. For <c>new Task(async ...)</c> the right rewrite depends on intent: no fix.
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
            || !KeepsTypes(startNew, context.Model, context.CancellationToken))
            return null;

        if (IsTaskRunShape(startNew, method, context))
        {
            return CodeEdit.Replace("Use Task.Run", startNew, current =>
            {
                var invocation = (InvocationExpressionSyntax)current;
                var run = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("Run"));
                return invocation.WithExpression(run.WithTriviaFrom(invocation.Expression));
            });
        }

        if (!CanUnwrap(startNew, method.ReturnType, context.Model))
            return null;
        // The same equivalence key as Task.Run: one Fix All fixes every shape, each with its own rewrite.
        return CodeEdit.Replace("Call Unwrap()", startNew, current =>
            SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, ((ExpressionSyntax)current).WithoutTrivia(), SyntaxFactory.IdentifierName("Unwrap")))
                .WithTriviaFrom(current));
    }

    /// <summary>
    /// <c>Task.Factory.StartNew(f)</c> or <c>Task.Factory.StartNew(f, token)</c>: what Task.Run does, with
    /// the default scheduler. Options, a scheduler or a state argument have no Task.Run counterpart, and a
    /// TaskFactory of the code's own carries its scheduler and options: Task.Run would drop them.
    /// </summary>
    private static bool IsTaskRunShape(InvocationExpressionSyntax startNew, IMethodSymbol method, EditContext context)
        => (method.Parameters.Length == 1 || method.Parameters.Length == 2 && SymbolEqualityComparer.Default.Equals(method.Parameters[1].Type, context.Types?.CancellationToken))
            && startNew.Expression is MemberAccessExpressionSyntax { Expression: { } receiver }
            && context.Model.GetSymbolInfo(receiver, context.CancellationToken).Symbol is IPropertySymbol { Name: "Factory", IsStatic: true } factory
            && SymbolEqualityComparer.Default.Equals(factory.ContainingType, context.Types?.Task);

    /// <summary>Whether <c>.Unwrap()</c> binds there: it is an extension method of System.Threading.Tasks, which the file may not import.</summary>
    private static bool CanUnwrap(InvocationExpressionSyntax startNew, ITypeSymbol nestedTask, SemanticModel model)
        => model.LookupSymbols(startNew.SpanStart, nestedTask, "Unwrap", includeReducedExtensionMethods: true)
            .OfType<IMethodSymbol>()
            .Any(unwrap => unwrap.ReducedFrom is { ContainingType: { Name: "TaskExtensions", ContainingNamespace: { Name: "Tasks", ContainingNamespace.Name: "Threading" } } });

    /// <summary>
    /// Task.Run and Unwrap() give Task or Task&lt;T&gt; where StartNew gave Task&lt;Task&gt; or
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
