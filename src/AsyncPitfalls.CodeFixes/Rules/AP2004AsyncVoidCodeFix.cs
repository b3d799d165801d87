using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;

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
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !KnownTypes.TryCreate(model.Compilation, out var types))
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var returnType = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf() switch
            {
                { } ancestors => FindReturnType(ancestors),
                _ => null,
            };
            if (returnType?.Parent is not { } declaration || model.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol method
                || !await KeepsCallersCompilingAsync(method, types, context.Document.Project.Solution, context.CancellationToken).ConfigureAwait(false))
                continue;
            context.RegisterCodeFix(CodeAction.Create("Return Task", async ct =>
            {
                var currentRoot = await context.Document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
                return context.Document.WithSyntaxRoot(currentRoot!.ReplaceNode(returnType, AwaitSyntax.TaskType().WithTriviaFrom(returnType)));
            }, EquivalenceKey), diagnostic);
        }
    }

    /// <summary>
    /// Returning Task breaks every use of the method that is not a call: <c>button.Click += OnClick</c>,
    /// <c>new Timer(OnTick, ...)</c>, an <c>Action</c> argument all need a void method. The analyzer reports
    /// an async void method whatever its delegate is (only the event handler shape is exempt), so the fix
    /// asks the same shared questions as the analyzer and then looks at every reference.
    /// </summary>
    private static async Task<bool> KeepsCallersCompilingAsync(IMethodSymbol method, KnownTypes types, Solution solution, System.Threading.CancellationToken cancellationToken)
    {
        if (Declarations.IsEventHandler(method, types) || method.IsOverride || Declarations.ImplementsInterfaceMember(method))
            return false;
        foreach (var referenced in await SymbolFinder.FindReferencesAsync(method, solution, cancellationToken).ConfigureAwait(false))
        {
            foreach (var location in referenced.Locations)
            {
                var root = await location.Document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (root?.FindNode(location.Location.SourceSpan, findInsideTrivia: true, getInnermostNodeForTie: true) is not { } reference || !IsCalled(reference))
                    return false;
            }
        }
        return true;
    }

    /// <summary>
    /// <c>Start()</c>, <c>this.Start()</c>, <c>worker?.Start()</c>: the name is what an invocation calls. A
    /// <c>nameof(Start)</c> or a <c>&lt;see cref="Start"/&gt;</c> only names it, and keeps compiling too.
    /// </summary>
    private static bool IsCalled(SyntaxNode reference)
    {
        foreach (var ancestor in reference.Ancestors(ascendOutOfTrivia: false))
        {
            if (ancestor is CrefSyntax
                || ancestor is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } nameOf && nameOf.ArgumentList.Span.Contains(reference.Span))
                return true;
            if (ancestor is StatementSyntax or MemberDeclarationSyntax)
                break;
        }
        var callee = reference.Parent is MemberAccessExpressionSyntax access && access.Name == reference
            || reference.Parent is MemberBindingExpressionSyntax
            ? reference.Parent
            : reference;
        return callee.Parent is InvocationExpressionSyntax invocation && invocation.Expression == callee;
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
