using System.Composition;
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
    public TaskReturnedFromScopeCodeFix()
        : base(DiagnosticIds.TaskReturnedFromScope, "AP2007.ReturnAwait")
    {
    }

    // The returned expression stays; making the function async rewrites the returns themselves.
    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
        => !diagnostic.Properties.ContainsKey(TaskReturnedFromScopeAnalyzer.InLockProperty) && context.FindNode(diagnostic) is ExpressionSyntax { Parent: ReturnStatementSyntax or ArrowExpressionClauseSyntax } returned
            ? ReplaceAwaiting("Make the method async and 'return await'", returned, current => current)
            : null;
}
