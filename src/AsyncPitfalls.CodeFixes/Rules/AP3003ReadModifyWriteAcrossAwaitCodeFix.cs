using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
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
public sealed class ReadModifyWriteAcrossAwaitCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP3003.AwaitFirst";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ReadModifyWriteAcrossAwait);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(ReadModifyWriteAcrossAwaitAnalyzer.CompoundProperty)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not AssignmentExpressionSyntax { Right: var awaited } assignment
                || assignment.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement
                || model is null)
                continue;
            // Named after the member, so Fix All gives two updates in one block two different locals.
            var name = UniqueName(model, statement.SpanStart, BaseName(assignment.Left));
            context.RegisterCodeFix(CodeAction.Create($"Await into '{name}' first, then update", _ =>
            {
                var declaration = SyntaxFactory.LocalDeclarationStatement(SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(awaited.WithoutTrivia())))))
                    .WithLeadingTrivia(statement.GetLeadingTrivia())
                    .WithTrailingTrivia(AsyncPitfalls.Internals.AwaitSyntax.EndOfLine(root))
                    .WithAdditionalAnnotations(Formatter.Annotation);
                var update = statement.ReplaceNode(awaited, SyntaxFactory.IdentifierName(name).WithTriviaFrom(awaited))
                    .WithLeadingTrivia(statement.GetLeadingTrivia());
                var index = block.Statements.IndexOf(statement);
                var statements = block.Statements.RemoveAt(index).InsertRange(index, new StatementSyntax[] { declaration, update });
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements))));
            }, EquivalenceKey), diagnostic);
        }
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

    private static string UniqueName(SemanticModel model, int position, string baseName)
    {
        var name = baseName;
        for (var i = 2; model.LookupSymbols(position, name: name).Any(); i++)
            name = baseName + i;
        return name;
    }
}
