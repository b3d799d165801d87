using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP5006: catches OperationCanceledException instead, unless the handler reads TaskCanceledException's Task.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CatchTaskCanceledOnlyCodeFix)), Shared]
public sealed class CatchTaskCanceledOnlyCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP5006.CatchOperationCanceled";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.CatchTaskCanceledOnly);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<CatchClauseSyntax>().FirstOrDefault() is not { Declaration: { } declaration } clause
                || UsesTaskProperty(clause, declaration))
                continue;
            context.RegisterCodeFix(CodeAction.Create("Catch OperationCanceledException", _ =>
            {
                var type = AsyncPitfalls.Internals.AwaitSyntax.FrameworkType("System.OperationCanceledException").WithTriviaFrom(declaration.Type);
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration.Type, type)));
            }, EquivalenceKey), diagnostic);
        }
    }

    private static bool UsesTaskProperty(CatchClauseSyntax clause, CatchDeclarationSyntax declaration)
        => declaration.Identifier.ValueText is { Length: > 0 } name
            && clause.Block.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Any(access =>
                access.Name.Identifier.ValueText == "Task" && access.Expression is IdentifierNameSyntax { Identifier.ValueText: var target } && target == name);
}
