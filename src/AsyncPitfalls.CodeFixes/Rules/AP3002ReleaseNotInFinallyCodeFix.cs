using System.Collections.Generic;
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
/// AP3002: wraps the statements between the acquisition and the release in <c>try</c>, with the
/// release in its <c>finally</c>. Not offered when a local declared in between is used after the
/// release (the try block would hide it).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseNotInFinallyCodeFix)), Shared]
public sealed class ReleaseNotInFinallyCodeFix : EditCodeFixProvider
{
    public ReleaseNotInFinallyCodeFix()
        : base(DiagnosticIds.ReleaseNotInFinally, "AP3002.TryFinally")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (diagnostic.AdditionalLocations.Count != 1
            || context.FindNode(diagnostic).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax block } acquire
            || context.Root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan) is not StatementSyntax release
            || release.Parent != block)
            return null;
        var first = block.Statements.IndexOf(acquire);
        var last = block.Statements.IndexOf(release);
        if (first < 0 || last <= first + 1 || DeclaresLocalUsedLater(block, first, last))
            return null;

        // The try takes the place of the first guarded statement; the others and the release move into it.
        var guarded = block.Statements.Skip(first + 1).Take(last - first - 1).ToList();
        var @try = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(guarded),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(release.WithoutTrivia())))
            .WithLeadingTrivia(guarded[0].GetLeadingTrivia())
            .WithTrailingTrivia(release.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return CodeEdit.Replace("Release in a finally block", guarded[0], _ => @try)
            .AndRemove(guarded.Skip(1).Append(release));
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
