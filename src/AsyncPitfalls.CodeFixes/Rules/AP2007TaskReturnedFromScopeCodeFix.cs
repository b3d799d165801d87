using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2007: makes the method async, so every <c>return task;</c> becomes <c>return await task;</c> and
/// the using, try or finally lasts as long as the task. Inside a lock no await may stand: no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TaskReturnedFromScopeCodeFix)), Shared]
public sealed class TaskReturnedFromScopeCodeFix : AwaitInsertingCodeFix
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TaskReturnedFromScope);

    protected override string EquivalenceKey => "AP2007.ReturnAwait";

    protected override string Title(Diagnostic diagnostic) => "Make the method async and 'return await'";

    // The returned expression stays; making the function async rewrites the returns themselves.
    protected override AwaitEdit? GetEdit(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, bool configureAwaitFalse, CancellationToken cancellationToken)
        => !diagnostic.Properties.ContainsKey(TaskReturnedFromScopeAnalyzer.InLockProperty) && FindNode(root, diagnostic) is ExpressionSyntax { Parent: ReturnStatementSyntax or ArrowExpressionClauseSyntax } returned
            ? AwaitEdit.Replace(returned, current => current)
            : null;
}
