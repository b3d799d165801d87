using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2006: <c>Task.Factory.StartNew(async ...)</c> (alone, or with a CancellationToken) becomes
/// <c>Task.Run(async ...)</c>, which unwraps. With creation options or a scheduler, and for
/// <c>new Task(async ...)</c>, the right rewrite depends on intent: no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NestedTaskCodeFix)), Shared]
public sealed class NestedTaskCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP2006.TaskRun";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NestedTask);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax startNew
                || model?.GetSymbolInfo(startNew, context.CancellationToken).Symbol is not IMethodSymbol method
                || !(method.Parameters.Length == 1 || method.Parameters.Length == 2 && method.Parameters[1].Type.Name == "CancellationToken"))
                continue;

            context.RegisterCodeFix(CodeAction.Create("Use Task.Run", async ct =>
            {
                var currentRoot = await context.Document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
                var run = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.TaskType(), SyntaxFactory.IdentifierName("Run"));
                return await FixedDocuments.WithRootAsync(context.Document, currentRoot!.ReplaceNode(startNew, startNew.WithExpression(run.WithTriviaFrom(startNew.Expression))), ct).ConfigureAwait(false);
            }, EquivalenceKey), diagnostic);
        }
    }
}
