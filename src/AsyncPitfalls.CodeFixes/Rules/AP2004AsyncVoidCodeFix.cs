using System.Composition;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;

namespace AsyncPitfalls.Rules;

/// <summary>AP2004: <c>async void</c> becomes <c>async Task</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncVoidCodeFix)), Shared]
public sealed class AsyncVoidCodeFix : EditCodeFixProvider
{
    public AsyncVoidCodeFix()
        : base(DiagnosticIds.AsyncVoid, "AP2004.ReturnTask")
    {
    }

    // As before the shared base: the simplifier shortens Task where a using allows it, and no using is added.
    protected override bool AddsImports => false;

    protected override async Task<bool> IsOfferedAsync(Document document, EditContext context, Diagnostic diagnostic)
        => context.Types is { } types
            && context.FindToken(diagnostic).Parent is { } node && FindReturnType(node)?.Parent is { } declaration
            && context.Model.GetDeclaredSymbol(declaration, context.CancellationToken) is IMethodSymbol method
            && await KeepsCallersCompilingAsync(method, types, document.Project.Solution, context.CancellationToken).ConfigureAwait(false);

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
        => context.FindToken(diagnostic).Parent is { } node && FindReturnType(node) is { } returnType
            ? CodeEdit.Replace("Return Task", returnType, current => AwaitSyntax.TaskType().WithTriviaFrom(current))
            : null;

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

    private static TypeSyntax? FindReturnType(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
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
