using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Internals;

/// <summary>
/// A project's own completion checks, read from their source: a method whose body is a completion test of
/// its first parameter (<c>static bool IsDone(this Task t) => t.IsCompletedSuccessfully</c>) or a property
/// whose body tests a member path of its object (<c>bool HasValue => _value.Task.Status == TaskStatus.RanToCompletion</c>).
/// Syntax only, and only for a member whose whole body is that one expression.
/// </summary>
internal static class CompletionGuards
{
    /// <summary>Task's own completion members, which a same-named helper taking the task mirrors.</summary>
    public static bool IsCompletionMemberName(string name)
        => name is "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled";

    /// <summary>Whether <paramref name="method"/>'s source body tests its first parameter's completion (<paramref name="negated"/> for <c>!t.IsCompleted</c>).</summary>
    public static bool TestsFirstParameter(IMethodSymbol method, out bool negated)
    {
        negated = false;
        if (method.Parameters.Length == 0 || BodyExpression(method) is not { } body || !TryGetTested(body, out var tested, out negated))
            return false;
        return tested is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == method.Parameters[0].Name;
    }

    /// <summary>
    /// The member names, outermost last, of the path that <paramref name="property"/>'s source getter tests
    /// (<c>["_value", "Task"]</c> for <c>_value.Task.Status == RanToCompletion</c>), read from its own object.
    /// </summary>
    public static string[]? TestedPath(IPropertySymbol property, out bool negated)
    {
        negated = false;
        if (property.IsStatic || property.GetMethod is not { } getter || BodyExpression(getter) is not { } body || !TryGetTested(body, out var tested, out negated))
            return null;
        var names = new System.Collections.Generic.List<string>();
        while (true)
        {
            switch (tested)
            {
                case IdentifierNameSyntax identifier:
                    names.Insert(0, identifier.Identifier.ValueText);
                    return names.ToArray();
                case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access:
                    names.Insert(0, access.Name.Identifier.ValueText);
                    if (access.Expression is ThisExpressionSyntax)
                        return names.ToArray();
                    tested = access.Expression;
                    break;
                default:
                    return null;
            }
        }
    }

    private static ExpressionSyntax? BodyExpression(IMethodSymbol method)
    {
        if (method.DeclaringSyntaxReferences is not { Length: 1 } references)
            return null;
        return references[0].GetSyntax() switch
        {
            MethodDeclarationSyntax { ExpressionBody.Expression: var expression } => expression,
            MethodDeclarationSyntax { Body.Statements: { Count: 1 } statements } => (statements[0] as ReturnStatementSyntax)?.Expression,
            AccessorDeclarationSyntax { ExpressionBody.Expression: var expression } => expression,
            AccessorDeclarationSyntax { Body.Statements: { Count: 1 } statements } => (statements[0] as ReturnStatementSyntax)?.Expression,
            ArrowExpressionClauseSyntax { Expression: var expression } => expression,
            _ => null,
        };
    }

    /// <summary>What <c>x.IsCompleted</c>, <c>x.Status == TaskStatus.RanToCompletion</c> (or their negations) test: <c>x</c>.</summary>
    private static bool TryGetTested(ExpressionSyntax expression, out ExpressionSyntax? tested, out bool negated)
    {
        tested = null;
        negated = false;
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    continue;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                    negated = !negated;
                    expression = not.Operand;
                    continue;
                case MemberAccessExpressionSyntax access when IsCompletionMemberName(access.Name.Identifier.ValueText):
                    tested = access.Expression;
                    return true;
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.EqualsExpression or (int)SyntaxKind.NotEqualsExpression } binary:
                    if (binary.IsKind(SyntaxKind.NotEqualsExpression))
                        negated = !negated;
                    tested = StatusOf(binary.Left, binary.Right) ?? StatusOf(binary.Right, binary.Left);
                    return tested is not null;
                default:
                    return false;
            }
        }
    }

    private static ExpressionSyntax? StatusOf(ExpressionSyntax status, ExpressionSyntax constant)
        => status is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Status" } access
            && constant is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "RanToCompletion" or "Faulted" or "Canceled" }
                ? access.Expression
                : null;
}
