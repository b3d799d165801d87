using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The fixes of AP4001's and AP4004's field shape (<see cref="OwnedFields"/>):
/// <list type="bullet">
/// <item>a field the type's Dispose forgets: <c>_field?.Dispose();</c> at the end of the type's own <c>Dispose(bool)</c>
/// (inside its <c>if (disposing) { ... }</c>), else of its <c>Dispose()</c>, else of its <c>DisposeAsync()</c> (before a
/// final <c>return</c>), when that method is in the same declaration and has a block body; nothing else in it changes;</item>
/// <item>a source replaced without disposing the previous one (AP4004 only): <c>_field?.Dispose();</c> right before the
/// statement <c>_field = ...;</c>. Not for clients: disposing the previous client cancels the requests still running on it.</item>
/// </list>
/// A type that is not disposable gets no fix: implementing IDisposable changes its public surface, and every code that
/// creates it would have to start disposing it.
/// </summary>
internal static class FieldDisposalFix
{
    /// <summary>Marks a statement the fix added, with the start of its diagnostic, so Fix All orders them as fixing them one by one would.</summary>
    private const string AddedAnnotationKind = "AsyncPitfalls.FieldDispose";

    public static bool IsFieldDiagnostic(Diagnostic diagnostic) => diagnostic.Properties.ContainsKey(OwnedFields.FieldProperty);

    public static CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic, bool disposeBeforeReplacing)
    {
        if (!diagnostic.Properties.TryGetValue(OwnedFields.FieldProperty, out var field) || field is null
            || !diagnostic.Properties.TryGetValue(OwnedFields.KindProperty, out var kind))
            return null;
        var node = context.FindNode(diagnostic);
        return kind switch
        {
            nameof(OwnedFields.FindingKind.NotDisposed) => InDispose(node, field, diagnostic.Location.SourceSpan.Start),
            nameof(OwnedFields.FindingKind.Replaced) when disposeBeforeReplacing => BeforeReplacing(node, field),
            _ => null,
        };
    }

    private static CodeEdit? InDispose(SyntaxNode node, string field, int start)
    {
        if (node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type)
            return null;
        var methods = type.Members.OfType<MethodDeclarationSyntax>().ToList();
        BlockSyntax? target = null;
        MethodDeclarationSyntax? method = null;
        if (methods.FirstOrDefault(m => m.Identifier.ValueText == "Dispose" && m.ParameterList.Parameters.Count == 1) is { } disposeBool)
        {
            // Dispose(bool): only inside its 'if (disposing) { ... }'; a finalizer's call must not touch other objects.
            var parameter = disposeBool.ParameterList.Parameters[0].Identifier.ValueText;
            target = disposeBool.Body?.Statements.OfType<IfStatementSyntax>()
                .FirstOrDefault(s => s.Condition is IdentifierNameSyntax name && name.Identifier.ValueText == parameter && s.Else is null)?.Statement as BlockSyntax;
            method = disposeBool;
        }
        else if (methods.FirstOrDefault(m => m.Identifier.ValueText == "Dispose" && m.ParameterList.Parameters.Count == 0 && m.Body is not null) is { } dispose)
        {
            target = dispose.Body;
            method = dispose;
        }
        else if (methods.FirstOrDefault(m => m.Identifier.ValueText is "DisposeAsync" or "DisposeAsyncCore" && m.ParameterList.Parameters.Count == 0 && m.Body is not null) is { } disposeAsync)
        {
            target = disposeAsync.Body;
            method = disposeAsync;
        }
        if (target is null || method is null)
            return null;

        var receiver = IsNameTakenIn(method, field) ? "this." + field : field;
        var title = $"Dispose '{field}' in '{method.Identifier.ValueText}'";
        return CodeEdit.Replace(title, target, current =>
        {
            var block = (BlockSyntax)current;
            var statements = block.Statements;
            var at = statements.Count;
            if (at > 0 && statements[at - 1] is ReturnStatementSyntax)
                at--;
            while (at > 0 && statements[at - 1].GetAnnotations(AddedAnnotationKind).Any(a => int.TryParse(a.Data, out var other) && other > start))
                at--;
            var neighbour = at > 0 ? statements[at - 1] : statements.Count > 0 ? statements[0] : null;
            var statement = WithLineOf(SyntaxFactory.ParseStatement($"{receiver}?.Dispose();"), neighbour)
                .WithAdditionalAnnotations(Formatter.Annotation, new SyntaxAnnotation(AddedAnnotationKind, start.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return block.WithStatements(statements.Insert(at, statement));
        });
    }

    /// <summary>
    /// A new statement on a line of its own, indented and ended like <paramref name="neighbour"/> (only its indentation
    /// and line break: never its comments); with elastic trivia for the formatter when there is no neighbour.
    /// </summary>
    private static StatementSyntax WithLineOf(StatementSyntax statement, StatementSyntax? neighbour)
    {
        if (neighbour is null)
            return statement.WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed);
        var indentation = neighbour.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
        var endOfLine = neighbour.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).DefaultIfEmpty(SyntaxFactory.ElasticCarriageReturnLineFeed).Last();
        return statement.WithLeadingTrivia(indentation).WithTrailingTrivia(endOfLine);
    }

    /// <summary>A parameter or local of the method named like the field: the fix writes <c>this.</c> then.</summary>
    private static bool IsNameTakenIn(MethodDeclarationSyntax method, string name)
        => method.ParameterList.Parameters.Any(p => p.Identifier.ValueText == name)
            || method.DescendantNodes().Any(n => n is VariableDeclaratorSyntax declarator && declarator.Identifier.ValueText == name
                || n is SingleVariableDesignationSyntax designation && designation.Identifier.ValueText == name);

    private static CodeEdit? BeforeReplacing(SyntaxNode node, string field)
    {
        var value = node;
        while (value.Parent is ParenthesizedExpressionSyntax or CastExpressionSyntax)
            value = value.Parent;
        if (value.Parent is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment || assignment.Right != value
            || assignment.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax or SwitchSectionSyntax } statement)
            return null;
        // The new value reads the old one (CreateLinkedTokenSource(_cts.Token, ct)): disposing it first would throw there.
        if (assignment.Right.DescendantNodesAndSelf().Any(n => n is IdentifierNameSyntax name && name.Identifier.ValueText == field))
            return null;
        var left = assignment.Left.WithoutTrivia().ToString();
        var dispose = WithLineOf(SyntaxFactory.ParseStatement($"{left}?.Dispose();"), statement).WithAdditionalAnnotations(Formatter.Annotation);
        return CodeEdit.InsertBefore($"Dispose the previous '{field}' before replacing it", statement, new[] { dispose });
    }
}
