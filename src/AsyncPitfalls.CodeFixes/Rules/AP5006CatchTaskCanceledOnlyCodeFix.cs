using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP5006: catches OperationCanceledException instead, unless the handler reads TaskCanceledException's Task.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CatchTaskCanceledOnlyCodeFix)), Shared]
public sealed class CatchTaskCanceledOnlyCodeFix : EditCodeFixProvider
{
    public CatchTaskCanceledOnlyCodeFix()
        : base(DiagnosticIds.CatchTaskCanceledOnly, "AP5006.CatchOperationCanceled")
    {
    }

    // As before the shared base: the simplifier shortens the name where a using allows it, and no using is added.
    protected override bool AddsImports => false;

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindToken(diagnostic).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is not { Declaration: { } declaration } clause
            || UsesTaskProperty(clause, declaration))
            return null;
        return CodeEdit.Replace("Catch OperationCanceledException", declaration.Type,
            current => AwaitSyntax.FrameworkType("System.OperationCanceledException").WithTriviaFrom(current));
    }

    private static bool UsesTaskProperty(CatchClauseSyntax clause, CatchDeclarationSyntax declaration)
        => declaration.Identifier.ValueText is { Length: > 0 } name
            && clause.Block.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Any(access =>
                access.Name.Identifier.ValueText == "Task" && access.Expression is IdentifierNameSyntax { Identifier.ValueText: var target } && target == name);
}
