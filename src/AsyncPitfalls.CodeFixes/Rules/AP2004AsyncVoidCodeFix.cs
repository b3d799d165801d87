using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.FindSymbols;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2004: <c>async void</c> becomes <c>async Task</c>, and its calls in the document await it. A method that
/// code outside the assembly can call (public or protected) changes only through an action of its own.
/// </summary>
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
            && await KeepsCallersCompilingAsync(method, types, document, context, context.CancellationToken).ConfigureAwait(false);

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindToken(diagnostic).Parent is not { } node || FindReturnType(node) is not { } returnType
            || context.Model.GetDeclaredSymbol(returnType.Parent!, context.CancellationToken) is not IMethodSymbol method)
            return null;
        var edit = CodeEdit.Replace("Return Task", returnType, current => AwaitSyntax.TaskType().WithTriviaFrom(current));

        // The calls (all statements in async functions of this document, as IsOfferedAsync checked) await the task.
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        foreach (var invocation in context.Root.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (invocation.Parent is ExpressionStatementSyntax
                && SymbolEqualityComparer.Default.Equals(context.Model.GetSymbolInfo(invocation, context.CancellationToken).Symbol, method))
            {
                edit = edit.AndOnce(invocation, current => AwaitSyntax.Await(((ExpressionSyntax)current).WithoutTrivia(), configureAwaitFalse)
                    .WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation));
            }
        }
        // Callers outside the assembly (or overrides) would now drop a task: confirmed on its own, never in Fix All.
        return AsyncConversion.VisibleSignatureChange(returnType.Parent!, AsyncReturnShape.VoidToTask, context.Model, context.CancellationToken) is { } name
            ? edit.ChangingSignatureOf(name)
            : edit;
    }

    /// <summary>
    /// Returning Task breaks every use of the method that is not a call: <c>button.Click += OnClick</c>,
    /// <c>new Timer(OnTick, ...)</c>, an <c>Action</c> argument, a delegate field all need a void method.
    /// The analyzer reports an async void method whatever its delegate is (only the event handler shape is
    /// exempt), so the fix asks the same shared questions as the analyzer and then looks at every
    /// reference. A call would drop the task the method now returns (CS4014, its exceptions lost): the fix
    /// awaits it, so every call must be a statement of an async function in this document where an await
    /// can go; any other call (in a synchronous function, <c>worker?.Start()</c>, another file) and the
    /// fix is not offered.
    /// </summary>
    private static async Task<bool> KeepsCallersCompilingAsync(IMethodSymbol method, KnownTypes types, Document document, EditContext context, System.Threading.CancellationToken cancellationToken)
    {
        if (Declarations.IsEventHandler(method, types) || method.IsOverride || Declarations.ImplementsInterfaceMember(method))
            return false;
        foreach (var referenced in await SymbolFinder.FindReferencesAsync(method, document.Project.Solution, cancellationToken).ConfigureAwait(false))
        {
            foreach (var location in referenced.Locations)
            {
                var root = await location.Document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (root?.FindNode(location.Location.SourceSpan, findInsideTrivia: true, getInnermostNodeForTie: true) is not { } reference)
                    return false;
                if (IsOnlyNamed(reference))
                    continue;
                if (location.Document.Id != document.Id || reference is not SimpleNameSyntax name
                    || AsyncConversion.AwaitableCallStatement(name, context.Model, cancellationToken) is null)
                    return false;
            }
        }
        return true;
    }

    /// <summary>A <c>nameof(Start)</c> or a <c>&lt;see cref="Start"/&gt;</c> only names the method, and keeps compiling.</summary>
    private static bool IsOnlyNamed(SyntaxNode reference)
    {
        foreach (var ancestor in reference.Ancestors(ascendOutOfTrivia: false))
        {
            if (ancestor is CrefSyntax
                || ancestor is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } nameOf && nameOf.ArgumentList.Span.Contains(reference.Span))
                return true;
            if (ancestor is StatementSyntax or MemberDeclarationSyntax)
                break;
        }
        return false;
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
