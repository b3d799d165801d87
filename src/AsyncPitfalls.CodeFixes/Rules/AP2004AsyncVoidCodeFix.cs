using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>AP2004: <c>async void</c> becomes <c>async Task</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncVoidCodeFix)), Shared]
public sealed class AsyncVoidCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP2004.ReturnTask";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AsyncVoid);

    // Each fix changes one method's return type: independent edits, so the batch fixer merges them.
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var returnType = root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf() switch
            {
                { } ancestors => FindReturnType(ancestors),
                _ => null,
            };
            if (returnType is null)
                continue;
            context.RegisterCodeFix(CodeAction.Create("Return Task", async ct =>
            {
                var currentRoot = await context.Document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
                return context.Document.WithSyntaxRoot(currentRoot!.ReplaceNode(returnType, AwaitSyntax.TaskType().WithTriviaFrom(returnType)));
            }, EquivalenceKey), diagnostic);
        }
    }

    private static TypeSyntax? FindReturnType(System.Collections.Generic.IEnumerable<Microsoft.CodeAnalysis.SyntaxNode> ancestors)
    {
        foreach (var node in ancestors)
        {
            switch (node)
            {
                case MethodDeclarationSyntax method:
                    return method.ReturnType;
                case LocalFunctionStatementSyntax localFunction:
                    return localFunction.ReturnType;
            }
        }
        return null;
    }
}
