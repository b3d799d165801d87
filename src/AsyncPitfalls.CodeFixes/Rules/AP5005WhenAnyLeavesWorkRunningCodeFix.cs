using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5005, for the timeout shape
/// <c>if (await Task.WhenAny(work, Task.Delay(t[, ct])) != work) throw new TimeoutException(...);</c>:
/// it becomes <c>await work.WaitAsync(t[, ct]);</c>, which throws TimeoutException itself and stops
/// waiting for the work. Other shapes depend on what the code does with the winner: no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhenAnyLeavesWorkRunningCodeFix)), Shared]
public sealed class WhenAnyLeavesWorkRunningCodeFix : EditCodeFixProvider
{
    public WhenAnyLeavesWorkRunningCodeFix()
        : base(DiagnosticIds.WhenAnyLeavesWorkRunning, "AP5005.WaitAsync")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(WhenAnyLeavesWorkRunningAnalyzer.TimeoutShapeProperty)
            || context.FindNode(diagnostic) is not InvocationExpressionSyntax whenAny
            || TimeoutIf(whenAny, context.Model) is not { } shape)
            return null;

        var arguments = shape.Delay.ArgumentList.Arguments;
        var timeout = shape.TimeoutIsTimeSpan
            ? arguments[0].Expression
            : SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, AwaitSyntax.FrameworkType("System.TimeSpan"), SyntaxFactory.IdentifierName("FromMilliseconds")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(arguments[0].Expression.WithoutTrivia()))));
        var waitArguments = SyntaxFactory.SeparatedList(arguments.Count > 1
            ? new[] { SyntaxFactory.Argument(timeout), arguments[1].WithNameColon(null) }
            : new[] { SyntaxFactory.Argument(timeout) });
        var wait = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(shape.Work), SyntaxFactory.IdentifierName("WaitAsync")),
            SyntaxFactory.ArgumentList(waitArguments));
        var statement = SyntaxFactory.ExpressionStatement(SyntaxFactory.AwaitExpression(wait)).WithTriviaFrom(shape.If).WithAdditionalAnnotations(Formatter.Annotation);
        return CodeEdit.Replace($"Use 'await {shape.Work}.WaitAsync(...)'", shape.If, _ => statement);
    }

    private sealed class Shape
    {
        public Shape(IfStatementSyntax @if, string work, InvocationExpressionSyntax delay, bool timeoutIsTimeSpan)
        {
            If = @if;
            Work = work;
            Delay = delay;
            TimeoutIsTimeSpan = timeoutIsTimeSpan;
        }

        public IfStatementSyntax If { get; }
        public string Work { get; }
        public InvocationExpressionSyntax Delay { get; }
        public bool TimeoutIsTimeSpan { get; }
    }

    private static Shape? TimeoutIf(InvocationExpressionSyntax whenAny, SemanticModel model)
    {
        // await Task.WhenAny(work, Task.Delay(t)) != work, as an if condition with no else that throws TimeoutException.
        if (whenAny.Parent is not AwaitExpressionSyntax awaited
            || awaited.Parent is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.NotEqualsExpression, Right: IdentifierNameSyntax compared } condition
            || condition.Left != awaited
            || condition.Parent is not IfStatementSyntax { Else: null } @if || @if.Condition != condition
            || !ThrowsTimeout(@if.Statement, model))
            return null;

        var arguments = whenAny.ArgumentList.Arguments;
        if (arguments.Count != 2)
            return null;
        var work = arguments.Select(a => a.Expression).OfType<IdentifierNameSyntax>().FirstOrDefault(i => i.Identifier.ValueText == compared.Identifier.ValueText);
        var delay = arguments.Select(a => a.Expression).OfType<InvocationExpressionSyntax>()
            .FirstOrDefault(i => i.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Delay" });
        if (work is null || delay is null || delay.ArgumentList.Arguments.Count is not (1 or 2))
            return null;

        var timeoutType = model.GetTypeInfo(delay.ArgumentList.Arguments[0].Expression).Type;
        return new Shape(@if, work.Identifier.ValueText, delay, timeoutType?.Name == "TimeSpan");
    }

    private static bool ThrowsTimeout(StatementSyntax statement, SemanticModel model)
    {
        var single = statement is BlockSyntax { Statements.Count: 1 } block ? block.Statements[0] : statement;
        return single is ThrowStatementSyntax { Expression: ObjectCreationExpressionSyntax creation }
            && model.GetTypeInfo(creation).Type?.Name == "TimeoutException";
    }
}
