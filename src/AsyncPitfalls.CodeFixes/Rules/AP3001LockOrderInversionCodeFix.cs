using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3001: swaps <c>lock (b) { lock (a) { ... } }</c> to the order the rest of the code uses. The
/// analyzer offers it only on an adjacent nesting of a two-lock inversion, and only on the side
/// whose order is the minority, so Fix All never swaps both sides of one inversion.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockOrderInversionCodeFix)), Shared]
public sealed class LockOrderInversionCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP3001.SwapLocks";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.LockOrderInversion);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(LockOrderInversionAnalyzer.SwapProperty)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax innerLock
                || innerLock.Parent is not LockStatementSyntax inner
                || OuterLock(inner) is not { } outer)
                continue;
            var title = $"Take '{inner.Expression}' before '{outer.Expression}'";
            context.RegisterCodeFix(CodeAction.Create(title, _ =>
            {
                var swapped = root.ReplaceNodes(new[] { outer.Expression, inner.Expression },
                    (original, _) => original == outer.Expression
                        ? inner.Expression.WithTriviaFrom(outer.Expression)
                        : outer.Expression.WithTriviaFrom(inner.Expression));
                return Task.FromResult(context.Document.WithSyntaxRoot(swapped));
            }, EquivalenceKey), diagnostic);
        }
    }

    /// <summary>The lock statement whose whole body is <paramref name="inner"/>.</summary>
    private static LockStatementSyntax? OuterLock(LockStatementSyntax inner) => inner.Parent switch
    {
        LockStatementSyntax outer => outer,
        BlockSyntax { Statements.Count: 1, Parent: LockStatementSyntax outer } => outer,
        _ => null,
    };
}
