using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The shared fix of AP4001, AP4003 and AP4004: <c>var x = Create();</c> becomes
/// <c>using var x = Create();</c>, disposing at the end of the same block, so the variable keeps its
/// scope. Offered only where that is safe: one declarator, directly in a block, and no later
/// assignment to the variable (a using variable is read-only). A dropped response statement
/// (<c>await http.GetAsync(url);</c>) becomes <c>using var response = await http.GetAsync(url);</c>.
/// A resource created inside a larger expression (<c>await new HttpClient().GetStringAsync(u)</c>) gets
/// no fix: the declaration or statement around it holds something else.
/// Below C# 8, which has no using declaration, the rest of the block moves into
/// <c>using (var x = Create()) { ... }</c>: the resource is disposed at the same point, the end of the
/// block. Not there when that would move a label or a local function used before it into the new braces.
/// </summary>
public abstract class UsingDeclarationFix : EditCodeFixProvider
{
    protected UsingDeclarationFix(string diagnosticId, string equivalenceKey)
        : base(diagnosticId, equivalenceKey)
    {
    }

    /// <summary>Whether a source replaced in a field gets <c>_field?.Dispose();</c> before the store (not a client: see <see cref="FieldDisposalFix"/>).</summary>
    protected virtual bool DisposesBeforeReplacing => false;

    protected sealed override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        // The field shape (issue 29) has its own fixes.
        if (FieldDisposalFix.IsFieldDiagnostic(diagnostic))
            return FieldDisposalFix.GetEdit(context, diagnostic, DisposesBeforeReplacing);
        var node = context.FindNode(diagnostic);
        var statement = node.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault();
        switch (statement)
        {
            // Only the declaration of the local that holds the resource: never 'using string s = await new HttpClient().GetStringAsync(u);'.
            case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, Declaration.Variables.Count: 1, Parent: BlockSyntax block } declaration
                when HoldsTheResource(declaration, diagnostic) && !IsAssignedLater(block, declaration):
                var title = $"Add 'using' to '{declaration.Declaration.Variables[0].Identifier.ValueText}'";
                if (!LanguageFeatures.AllowsUsingDeclarations(declaration))
                    return UsingStatementOverRestOfBlock(title, block, declaration, current => ((LocalDeclarationStatementSyntax)current).Declaration);
                return CodeEdit.Replace(title, declaration, current =>
                {
                    var local = (LocalDeclarationStatementSyntax)current;
                    return local.WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space))
                        .WithLeadingTrivia(local.GetLeadingTrivia())
                        .WithDeclaration(local.Declaration.WithLeadingTrivia());
                });

            // Only when the awaited value is the resource itself: not 'await new HttpClient().GetStringAsync(u);'.
            case ExpressionStatementSyntax { Expression: AwaitExpressionSyntax awaited, Parent: BlockSyntax dropBlock } expressionStatement when awaited.Span == diagnostic.Location.SourceSpan:
                // Earlier dropped results of the same type in the block take the names before this one, so Fix All
                // names them as fixing them one by one would (response, response2) instead of declaring 'response' twice.
                var type = context.Model.GetTypeInfo(awaited, context.CancellationToken).Type;
                var earlierDrops = dropBlock.Statements.TakeWhile(s => s != expressionStatement)
                    .Count(s => s is ExpressionStatementSyntax { Expression: AwaitExpressionSyntax earlier }
                        && SymbolEqualityComparer.Default.Equals(context.Model.GetTypeInfo(earlier, context.CancellationToken).Type, type));
                var name = LocalNames.Unused(expressionStatement, "response", earlierDrops);
                VariableDeclarationSyntax Holding(SyntaxNode current)
                    => SyntaxFactory.VariableDeclaration(SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(((ExpressionStatementSyntax)current).Expression.WithoutTrivia()))));
                if (!LanguageFeatures.AllowsUsingDeclarations(expressionStatement))
                    return UsingStatementOverRestOfBlock($"Dispose it: 'using (var {name} = ...)'", dropBlock, expressionStatement, Holding);
                return CodeEdit.Replace($"Dispose it: 'using var {name} = ...'", expressionStatement, current =>
                    SyntaxFactory.LocalDeclarationStatement(Holding(current))
                        .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword))
                        .WithTriviaFrom(current)
                        .WithAdditionalAnnotations(Formatter.Annotation));

            default:
                return null;
        }
    }

    /// <summary>
    /// Below C# 8: <c>using (declaration) { the statements after it }</c> in place of <paramref name="statement"/> and the
    /// rest of its block, built from the block's current version (Fix All wraps the later resources of a block first,
    /// so the earlier ones end up around them). Null when the rest holds a label (a goto from before it could no longer
    /// reach it) or a local function used before it (it would go out of scope there), or when a directive stands
    /// before the block's closing brace (<c>#endif</c> there would close its region inside the new braces).
    /// </summary>
    private static CodeEdit? UsingStatementOverRestOfBlock(string title, BlockSyntax block, StatementSyntax statement, System.Func<SyntaxNode, VariableDeclarationSyntax> declarationOf)
    {
        var index = block.Statements.IndexOf(statement);
        var rest = block.Statements.Skip(index + 1).ToList();
        var namesBefore = block.Statements.Take(index + 1).SelectMany(s => s.DescendantTokens())
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
        if (rest.Any(s => s is LabeledStatementSyntax || s is LocalFunctionStatementSyntax function && namesBefore.Contains(function.Identifier.ValueText))
            || block.CloseBraceToken.LeadingTrivia.Any(t => t.IsDirective))
            return null;

        return CodeEdit.Replace(title, block, current =>
        {
            var currentBlock = (BlockSyntax)current;
            if (currentBlock.GetCurrentNode(statement) is not { } currentStatement)
                return current;
            var at = currentBlock.Statements.IndexOf(currentStatement);
            // Always in braces, never stacked on a using that follows: fixed one by one or all at once, the code is the same.
            var rest = SyntaxFactory.Block(currentBlock.Statements.Skip(at + 1));
            var @using = SyntaxFactory.UsingStatement(declarationOf(currentStatement).WithoutTrivia(), null, rest)
                .WithCloseParenToken(SyntaxFactory.Token(SyntaxKind.CloseParenToken).WithTrailingTrivia(currentStatement.GetTrailingTrivia()))
                .WithLeadingTrivia(currentStatement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            return currentBlock.WithStatements(SyntaxFactory.List(currentBlock.Statements.Take(at).Append(@using)));
        }).AndTrack(statement);
    }

    /// <summary>The analyzer names the local that holds the resource; a declaration of any other local (the result of a call on it) is not the place for 'using'.</summary>
    private static bool HoldsTheResource(LocalDeclarationStatementSyntax declaration, Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(UndisposedResources.LocalProperty, out var local)
            && local == declaration.Declaration.Variables[0].Identifier.ValueText;

    private static bool IsAssignedLater(BlockSyntax block, LocalDeclarationStatementSyntax declaration)
    {
        var name = declaration.Declaration.Variables[0].Identifier.ValueText;
        return block.DescendantNodes().Any(n => n.SpanStart > declaration.Span.End && n switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax left } => left.Identifier.ValueText == name,
            ArgumentSyntax { RefKindKeyword.RawKind: not 0, Expression: IdentifierNameSyntax argument } => argument.Identifier.ValueText == name,
            _ => false,
        });
    }
}
