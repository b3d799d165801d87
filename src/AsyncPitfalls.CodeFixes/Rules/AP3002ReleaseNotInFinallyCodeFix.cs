using System.Collections.Generic;
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
/// AP3002: wraps the statements between the acquisition and the release in <c>try</c>, with the
/// release in its <c>finally</c>. Not offered when a local declared in between is used after the
/// release (the try block would hide it).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseNotInFinallyCodeFix)), Shared]
public sealed class ReleaseNotInFinallyCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP3002.TryFinally";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ReleaseNotInFinally);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.AdditionalLocations.Count != 1
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax block } acquire
                || root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan) is not StatementSyntax release
                || release.Parent != block)
                continue;
            var first = block.Statements.IndexOf(acquire);
            var last = block.Statements.IndexOf(release);
            if (first < 0 || last <= first + 1 || DeclaresLocalUsedLater(block, first, last))
                continue;
            context.RegisterCodeFix(CodeAction.Create("Release in a finally block", _ =>
            {
                var guarded = block.Statements.Skip(first + 1).Take(last - first - 1).ToList();
                var @try = SyntaxFactory.TryStatement(
                        SyntaxFactory.Block(guarded),
                        default,
                        SyntaxFactory.FinallyClause(SyntaxFactory.Block(release.WithoutTrivia())))
                    .WithLeadingTrivia(guarded[0].GetLeadingTrivia())
                    .WithTrailingTrivia(release.GetTrailingTrivia())
                    .WithAdditionalAnnotations(Formatter.Annotation);
                var statements = block.Statements.Take(first + 1).Append(@try).Concat(block.Statements.Skip(last + 1));
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(statements)))));
            }, EquivalenceKey), diagnostic);
        }
    }

    private static bool DeclaresLocalUsedLater(BlockSyntax block, int first, int last)
    {
        var declared = new HashSet<string>();
        for (var i = first + 1; i < last; i++)
        {
            if (block.Statements[i] is LocalDeclarationStatementSyntax declaration)
                declared.UnionWith(declaration.Declaration.Variables.Select(v => v.Identifier.ValueText));
            declared.UnionWith(block.Statements[i].DescendantNodes().OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText));
        }
        return declared.Count > 0 && block.Statements.Skip(last + 1).Any(s =>
            s.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(n => declared.Contains(n.Identifier.ValueText)));
    }
}
