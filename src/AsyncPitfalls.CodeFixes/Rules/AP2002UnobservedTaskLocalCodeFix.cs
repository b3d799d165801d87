using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2002: awaits at the initializer (<c>var count = await CountAsync();</c>, or the plain
/// <c>await SaveAsync();</c> when the task has no result), or awaits the task where it is used as a
/// value (<c>Console.WriteLine(await count)</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnobservedTaskLocalCodeFix)), Shared]
public sealed class UnobservedTaskLocalCodeFix : AwaitInsertingCodeFix
{
    public UnobservedTaskLocalCodeFix()
        : base(DiagnosticIds.UnobservedTaskLocal, "AP2002.Await", allowsSignatureChange: true)
    {
    }

    private static string Title(Diagnostic diagnostic) => IsUnread(diagnostic) ? "Await at the initializer" : "Await the task";

    private static bool IsUnread(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(UnobservedTaskLocalAnalyzer.ShapeProperty, out var shape) && shape == "Unread";

    protected override CodeEdit? GetAwaitEdit(EditContext context, Diagnostic diagnostic)
    {
        var node = context.FindNode(diagnostic);
        var title = Title(diagnostic);
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        if (!IsUnread(diagnostic))
            return node is ExpressionSyntax value && !AwaitSyntax.IsNullConditional(value) ? ReplaceAwaiting(title, value, current => AwaitSyntax.Await((ExpressionSyntax)current, configureAwaitFalse)) : null;

        if (node is not VariableDeclaratorSyntax { Initializer: { } initializer, Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax statement } }
            || statement.UsingKeyword != default || AwaitSyntax.IsNullConditional(initializer.Value) || context.Model.GetTypeInfo(initializer.Value, context.CancellationToken).Type is not INamedTypeSymbol taskType)
            return null;

        var hasResult = taskType.IsGenericType;
        return ReplaceAwaiting(title, statement, current =>
        {
            var declaration = (LocalDeclarationStatementSyntax)current;
            var declarator = declaration.Declaration.Variables[0];
            var awaited = AwaitSyntax.Await(declarator.Initializer!.Value, configureAwaitFalse);
            if (!hasResult)
                return SyntaxFactory.ExpressionStatement(awaited);
            // The variable now holds the result, not the task: its declared type follows.
            var type = declaration.Declaration.Type.IsVar ? declaration.Declaration.Type : SyntaxFactory.IdentifierName("var").WithTriviaFrom(declaration.Declaration.Type);
            return declaration.WithDeclaration(declaration.Declaration
                .WithType(type)
                .WithVariables(SyntaxFactory.SingletonSeparatedList(declarator.WithInitializer(declarator.Initializer.WithValue(awaited)))));
        });
    }
}
