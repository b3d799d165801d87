using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3001: swaps <c>lock (b) { lock (a) { ... } }</c> to the order the rest of the code uses. The
/// analyzer offers it only on an adjacent nesting of a two-lock inversion, and only on the side
/// whose order is the minority, so Fix All never swaps both sides of one inversion.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockOrderInversionCodeFix)), Shared]
public sealed class LockOrderInversionCodeFix : EditCodeFixProvider
{
    public LockOrderInversionCodeFix()
        : base(DiagnosticIds.LockOrderInversion, "AP3001.SwapLocks")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(LockOrderInversionAnalyzer.SwapProperty)
            || context.FindNode(diagnostic) is not ExpressionSyntax innerLock
            || innerLock.Parent is not LockStatementSyntax inner
            || OuterLock(inner) is not { } outer)
            return null;

        // Both expressions live in the outer statement: swap them in its current version.
        return CodeEdit.Replace($"Take '{inner.Expression}' before '{outer.Expression}'", outer, current =>
        {
            var currentOuter = (LockStatementSyntax)current;
            if (InnerLock(currentOuter) is not { } currentInner)
                return current;
            return currentOuter.ReplaceNodes(new[] { currentOuter.Expression, currentInner.Expression },
                (original, _) => original == currentOuter.Expression
                    ? currentInner.Expression.WithTriviaFrom(currentOuter.Expression)
                    : currentOuter.Expression.WithTriviaFrom(currentInner.Expression));
        });
    }

    /// <summary>The lock statement whose whole body is <paramref name="inner"/>.</summary>
    private static LockStatementSyntax? OuterLock(LockStatementSyntax inner) => inner.Parent switch
    {
        LockStatementSyntax outer => outer,
        BlockSyntax { Statements.Count: 1, Parent: LockStatementSyntax outer } => outer,
        _ => null,
    };

    /// <summary>The lock statement that is the whole body of <paramref name="outer"/>.</summary>
    private static LockStatementSyntax? InnerLock(LockStatementSyntax outer) => outer.Statement switch
    {
        LockStatementSyntax inner => inner,
        BlockSyntax { Statements: { Count: 1 } statements } when statements[0] is LockStatementSyntax inner => inner,
        _ => null,
    };
}
