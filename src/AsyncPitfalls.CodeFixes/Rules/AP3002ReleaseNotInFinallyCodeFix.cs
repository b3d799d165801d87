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

        return CodeEdit.Replace("Release in a finally block", block, current => Wrap((BlockSyntax)current, acquire, release))
            .AndTrack(acquire, release);
    }

    /// <summary>The block with the statements between the acquisition and the release in a try, and the release in its finally.</summary>
    private static BlockSyntax Wrap(BlockSyntax block, StatementSyntax acquire, StatementSyntax release)
    {
        // Another pair in the same block may have been wrapped already: find this one's statements again.
        var first = block.GetCurrentNode(acquire) is { } currentAcquire ? block.Statements.IndexOf(currentAcquire) : -1;
        var last = block.GetCurrentNode(release) is { } currentRelease ? block.Statements.IndexOf(currentRelease) : -1;
        if (first < 0 || last <= first + 1)
            return block;
        var guarded = block.Statements.Skip(first + 1).Take(last - first - 1).ToList();
        var releaseNow = block.Statements[last];
        var @try = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(guarded),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(releaseNow.WithoutTrivia())))
            .WithLeadingTrivia(guarded[0].GetLeadingTrivia())
            .WithTrailingTrivia(releaseNow.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        var statements = block.Statements.Take(first + 1).Append(@try).Concat(block.Statements.Skip(last + 1));
        return block.WithStatements(SyntaxFactory.List(statements));
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
