using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5006: catches OperationCanceledException instead, unless a use of the caught exception needs its
/// TaskCanceledException type (its Task, a TaskCanceledException local or parameter it is given to).
/// </summary>
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
            || NeedsTheNarrowType(clause, declaration, context.Model, context.CancellationToken))
            return null;
        return CodeEdit.Replace("Catch OperationCanceledException", declaration.Type,
            current => AwaitSyntax.FrameworkType("System.OperationCanceledException").WithTriviaFrom(current));
    }

    /// <summary>
    /// Whether a use of the caught exception would stop compiling once it is an OperationCanceledException: a
    /// member only TaskCanceledException has (<c>Task</c>), or a place that wants a TaskCanceledException
    /// (<c>TaskCanceledException last = ex;</c>, an argument of that type). Reading OperationCanceledException's
    /// members, throwing it, or passing it as an Exception stays valid.
    /// </summary>
    private static bool NeedsTheNarrowType(CatchClauseSyntax clause, CatchDeclarationSyntax declaration, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        if (declaration.Identifier.ValueText is not { Length: > 0 } name
            || model.GetDeclaredSymbol(declaration, cancellationToken) is not ILocalSymbol caught)
            return false;
        var caughtType = caught.Type;
        foreach (var reference in clause.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (reference.Identifier.ValueText != name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(reference, cancellationToken).Symbol, caught))
                continue;
            if (reference.Parent is MemberAccessExpressionSyntax access && access.Expression == reference)
            {
                if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(access, cancellationToken).Symbol?.ContainingType, caughtType))
                    return true;
                continue;
            }
            // Wanted as the narrow type itself: a local, a parameter, a return value of that type.
            if (SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(reference, cancellationToken).ConvertedType, caughtType)
                && reference.Parent is not (ThrowStatementSyntax or ThrowExpressionSyntax or InterpolationSyntax))
                return true;
        }
        return false;
    }
}
