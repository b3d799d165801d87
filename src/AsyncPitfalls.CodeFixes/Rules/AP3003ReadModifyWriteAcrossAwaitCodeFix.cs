using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3003: for <c>_n += await F();</c>, awaits first into a local and then updates the member,
/// so the read and the write happen with no await between them.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReadModifyWriteAcrossAwaitCodeFix)), Shared]
public sealed class ReadModifyWriteAcrossAwaitCodeFix : EditCodeFixProvider
{
    public ReadModifyWriteAcrossAwaitCodeFix()
        : base(DiagnosticIds.ReadModifyWriteAcrossAwait, "AP3003.AwaitFirst")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(ReadModifyWriteAcrossAwaitAnalyzer.CompoundProperty)
            || context.FindNode(diagnostic) is not AssignmentExpressionSyntax { Right: var awaited } assignment
            || assignment.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement)
            return null;
        // Named after the member, so Fix All gives updates of different members different locals; updates of one
        // member take the next free name in order, so Fix All names them as fixing them one by one would.
        var baseName = BaseName(assignment.Left);
        var earlierUpdates = block.Statements.TakeWhile(s => s != statement)
            .Count(s => s is ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Right: AwaitExpressionSyntax } earlier } && BaseName(earlier.Left) == baseName);
        var name = UniqueName(context.Model, statement.SpanStart, baseName, earlierUpdates);
        var endOfLine = AwaitSyntax.EndOfLine(context.Root);
        return CodeEdit.Replace($"Await into '{name}' first, then update", block, current => Split((BlockSyntax)current, statement, awaited, name, endOfLine))
            .AndTrack(statement, awaited);
    }

    /// <summary>The block with <c>var name = awaited;</c> before the statement, which then uses <c>name</c>.</summary>
    private static BlockSyntax Split(BlockSyntax block, StatementSyntax original, ExpressionSyntax originalAwaited, string name, SyntaxTrivia endOfLine)
    {
        // Another update in the same block may have been split already: find this one's nodes again.
        if (block.GetCurrentNode(original) is not { } statement || statement.GetCurrentNode(originalAwaited) is not { } awaited)
            return block;
        var declaration = SyntaxFactory.LocalDeclarationStatement(SyntaxFactory.VariableDeclaration(
                SyntaxFactory.IdentifierName("var"),
                SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                    .WithInitializer(SyntaxFactory.EqualsValueClause(awaited.WithoutTrivia())))))
            .WithLeadingTrivia(statement.GetLeadingTrivia())
            .WithTrailingTrivia(endOfLine)
            .WithAdditionalAnnotations(Formatter.Annotation);
        var update = statement.ReplaceNode(awaited, SyntaxFactory.IdentifierName(name).WithTriviaFrom(awaited))
            .WithLeadingTrivia(statement.GetLeadingTrivia());
        var index = block.Statements.IndexOf(statement);
        return block.WithStatements(block.Statements.RemoveAt(index).InsertRange(index, new StatementSyntax[] { declaration, update }));
    }

    private static string BaseName(ExpressionSyntax member)
    {
        var text = member switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => "value",
        };
        if (text.StartsWith("s_", System.StringComparison.Ordinal) || text.StartsWith("m_", System.StringComparison.Ordinal))
            text = text.Substring(2);
        text = text.TrimStart('_');
        return text.Length == 0 ? "delta" : char.ToLowerInvariant(text[0]) + text.Substring(1) + "Delta";
    }

    /// <summary>The first name of baseName, baseName2, ... that is not in scope, after skipping <paramref name="taken"/> free ones.</summary>
    private static string UniqueName(SemanticModel model, int position, string baseName, int taken)
    {
        for (var i = 1; ; i++)
        {
            var name = i == 1 ? baseName : baseName + i;
            if (!model.LookupSymbols(position, name: name).Any() && taken-- == 0)
                return name;
        }
    }
}
