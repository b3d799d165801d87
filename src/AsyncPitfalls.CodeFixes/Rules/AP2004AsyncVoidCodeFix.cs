using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

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

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
        => context.FindToken(diagnostic).Parent is { } node && FindReturnType(node) is { } returnType
            ? CodeEdit.Replace("Return Task", returnType, current => AwaitSyntax.TaskType().WithTriviaFrom(current))
            : null;

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
