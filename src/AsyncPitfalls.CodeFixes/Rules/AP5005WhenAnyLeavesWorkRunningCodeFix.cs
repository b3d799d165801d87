using System.Composition;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5005, for the timeout shape
/// <code>
/// var work = LoadAsync(id);
/// if (await Task.WhenAny(work, Task.Delay(t)) != work)
///     throw new TimeoutException(); // or: return fallback;
/// </code>
/// The work gets a token of its own, from a source linked to the caller's token, and the branch where
/// the timeout wins cancels it before it throws or returns:
/// <code>
/// using var workCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
/// var work = LoadAsync(id, workCancellation.Token);
/// if (await Task.WhenAny(work, Task.Delay(t)) != work)
/// {
///     workCancellation.Cancel();
///     throw new TimeoutException();
/// }
/// </code>
/// The wait and what the caller sees stay as written (the same TimeoutException, the same fallback, the
/// same reaction to the caller's token): only the abandoned work now stops. <c>Cancel()</c> runs in the
/// branch itself rather than through <c>CancelAfter</c>, whose timer races with the disposal of the source
/// when the wait ends first. Not offered when the work cannot take a token (a task handed in, a call
/// without a token parameter or overload), when the branch goes on using the work, or before C# 8
/// (the source is a using declaration).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhenAnyLeavesWorkRunningCodeFix)), Shared]
public sealed class WhenAnyLeavesWorkRunningCodeFix : EditCodeFixProvider
{
    public WhenAnyLeavesWorkRunningCodeFix()
        : base(DiagnosticIds.WhenAnyLeavesWorkRunning, "AP5005.CancelWorkOnTimeout")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        var model = context.Model;
        if (!diagnostic.Properties.ContainsKey(WhenAnyLeavesWorkRunningAnalyzer.TimeoutShapeProperty)
            || context.Types is not { CancellationTokenSource: not null } types
            || context.FindNode(diagnostic) is not InvocationExpressionSyntax whenAny
            || !LanguageFeatures.AllowsUsingDeclarations(whenAny)
            || TimeoutIf(whenAny) is not { } timeout
            || model.GetSymbolInfo(timeout.Work, context.CancellationToken).Symbol is not ILocalSymbol workLocal
            || WorkDeclaration(workLocal, timeout.If) is not { } declaration
            || model.GetOperation(declaration.Call, context.CancellationToken) is not IInvocationOperation call
            || TokenSlot.Find(call, types) is not { } slot)
            return null;

        // The source links to the token the work was given, else to the caller's token; an explicit
        // CancellationToken.None stays a decision not to link the work to anything.
        var link = slot.PassedToken;
        if (link is null && !slot.PassedNone && diagnostic.Properties.TryGetValue(DiagnosticProperties.CancellationToken, out var inScope) && inScope is not null
            && IsDeclaredBefore(inScope, declaration.Statement, model))
            link = SyntaxFactory.ParseExpression(inScope);

        var workName = workLocal.Name;
        var sourceName = LocalNames.Unused(declaration.Statement, workName + "Cancellation");
        var sourceDeclaration = SourceDeclaration(sourceName, link, model, declaration.Statement.SpanStart);
        var branch = timeout.If.Statement;
        var endOfLine = AwaitSyntax.EndOfLine(context.Root);
        // Linked to nothing, the source belongs to this race alone: the delay takes its token too. That changes
        // nothing (the source is cancelled only once the delay has won), and a token the method now has in scope
        // is not left unpassed (AP5003 would ask for it).
        var delay = link is null ? TokenlessDelay(whenAny, timeout.Work, model, types, context.CancellationToken) : null;
        var tracked = delay is null ? new SyntaxNode[] { branch, declaration.Call, declaration.Statement } : new SyntaxNode[] { branch, declaration.Call, declaration.Statement, delay };
        return CodeEdit.Replace($"Cancel '{workName}' when the timeout wins", declaration.Block, current =>
        {
            if (current.GetCurrentNode(branch) is not { } currentBranch)
                return current;
            if (delay is not null && current.GetCurrentNode(delay) is { } currentDelay)
            {
                current = current.ReplaceNode(currentDelay, currentDelay.AddArgumentListArguments(SyntaxFactory.Argument(SyntaxFactory.ParseExpression(sourceName + ".Token"))));
                currentBranch = current.GetCurrentNode(branch)!;
            }
            current = current.ReplaceNode(currentBranch, CancellingBranch(currentBranch, sourceName));
            if (current.GetCurrentNode(declaration.Call) is not { } currentCall)
                return current;
            current = current.ReplaceNode(currentCall, slot.PassTo(currentCall, sourceName));
            return current.GetCurrentNode(declaration.Statement) is { } currentStatement
                ? current.InsertNodesBefore(currentStatement, new[] { OnItsOwnLine(sourceDeclaration, currentStatement, endOfLine) })
                : current;
        }).AndTrack(tracked);
    }

    /// <summary>The race's other task when it is <c>Task.Delay(t)</c> without a token.</summary>
    private static InvocationExpressionSyntax? TokenlessDelay(InvocationExpressionSyntax whenAny, IdentifierNameSyntax work, SemanticModel model, KnownTypes types, System.Threading.CancellationToken cancellationToken)
        => whenAny.ArgumentList.Arguments.Select(a => a.Expression).FirstOrDefault(e => e != work) is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } delay
            && model.GetSymbolInfo(delay, cancellationToken).Symbol is IMethodSymbol { Name: "Delay" } method
            && SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task)
                ? delay
                : null;

    private sealed class TimeoutShape
    {
        public TimeoutShape(IfStatementSyntax @if, IdentifierNameSyntax work)
        {
            If = @if;
            Work = work;
        }

        public IfStatementSyntax If { get; }

        /// <summary>The work as the WhenAny call names it.</summary>
        public IdentifierNameSyntax Work { get; }
    }

    /// <summary>
    /// <c>if (await Task.WhenAny(work, Task.Delay(t)) != work)</c> (ConfigureAwait allowed), with no else,
    /// whose branch leaves (ends with a throw or a return) and does not touch the work again: the work is
    /// abandoned exactly there, so cancelling it there changes nothing the code still observes.
    /// </summary>
    private static TimeoutShape? TimeoutIf(InvocationExpressionSyntax whenAny)
    {
        ExpressionSyntax awaitedCall = whenAny;
        if (awaitedCall.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } configure
            && configure.Parent is InvocationExpressionSyntax configured)
            awaitedCall = configured;
        if (awaitedCall.Parent is not AwaitExpressionSyntax awaited
            || awaited.Parent is not BinaryExpressionSyntax { RawKind: (int)SyntaxKind.NotEqualsExpression, Right: IdentifierNameSyntax compared } condition
            || condition.Left != awaited
            || condition.Parent is not IfStatementSyntax { Else: null } @if || @if.Condition != condition
            || whenAny.ArgumentList.Arguments.Count != 2)
            return null;

        var work = whenAny.ArgumentList.Arguments.Select(a => a.Expression).OfType<IdentifierNameSyntax>()
            .FirstOrDefault(i => i.Identifier.ValueText == compared.Identifier.ValueText);
        if (work is null)
            return null;

        var statements = @if.Statement is BlockSyntax block ? block.Statements : SyntaxFactory.SingletonList(@if.Statement);
        if (statements.LastOrDefault() is not (ThrowStatementSyntax or ReturnStatementSyntax)
            || Mentions(@if.Statement, work.Identifier.ValueText))
            return null;
        return new TimeoutShape(@if, work);
    }

    private sealed class Declaration
    {
        public Declaration(LocalDeclarationStatementSyntax statement, BlockSyntax block, InvocationExpressionSyntax call)
        {
            Statement = statement;
            Block = block;
            Call = call;
        }

        public LocalDeclarationStatementSyntax Statement { get; }
        public BlockSyntax Block { get; }
        public InvocationExpressionSyntax Call { get; }
    }

    /// <summary>
    /// <c>var work = Call(...);</c>, alone in its declaration, followed in the same block by the if, and not
    /// used between the two: the work starts there, and nothing else has seen it before the timeout. (An if
    /// nested deeper, in a try whose catch or finally awaits the work, would see it cancelled.)
    /// </summary>
    private static Declaration? WorkDeclaration(ILocalSymbol work, IfStatementSyntax @if)
    {
        if (work.DeclaringSyntaxReferences.Length != 1
            || work.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: InvocationExpressionSyntax call } declarator
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } variables
            || variables.Parent is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, AwaitKeyword.RawKind: 0, IsConst: false } statement
            || statement.Parent is not BlockSyntax block
            || @if.Parent != block || @if.SpanStart < statement.Span.End)
            return null;

        var usedBetween = block.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Any(i => i.SpanStart > statement.Span.End && i.SpanStart < @if.SpanStart && i.Identifier.ValueText == work.Name);
        return usedBetween ? null : new Declaration(statement, block, call);
    }

    /// <summary>
    /// Where the work's call takes its token: the argument it passes, the optional parameter it leaves out,
    /// or an overload with a trailing token. A call with two token parameters, or a token argument more
    /// complex than a name (which the source would evaluate a second time), is not rewritten.
    /// </summary>
    private sealed class TokenSlot
    {
        private readonly int _argumentIndex;
        private readonly string? _parameterName;

        private TokenSlot(int argumentIndex, string? parameterName, ExpressionSyntax? passedToken, bool passedNone)
        {
            _argumentIndex = argumentIndex;
            _parameterName = parameterName;
            PassedToken = passedToken;
            PassedNone = passedNone;
        }

        /// <summary>The token the call passes today, which the new source links to.</summary>
        public ExpressionSyntax? PassedToken { get; }

        /// <summary>The call passes <c>CancellationToken.None</c> or <c>default</c>.</summary>
        public bool PassedNone { get; }

        public static TokenSlot? Find(IInvocationOperation call, KnownTypes types)
        {
            if (call.Syntax is not InvocationExpressionSyntax syntax)
                return null;
            var written = syntax.ArgumentList.Arguments;
            var anyNamed = written.Any(a => a.NameColon is not null);
            var tokenArguments = call.Arguments.Where(a => CancellationTokens.IsCancellationToken(a.Parameter?.Type, types)).ToList();
            if (tokenArguments.Count > 1)
                return null;

            if (tokenArguments.Count == 1)
            {
                var argument = tokenArguments[0];
                var parameter = argument.Parameter!;
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                {
                    // Positional only where it is the very next argument; otherwise by name.
                    var positional = !anyNamed && parameter.Ordinal == written.Count + (IsReducedExtensionCall(call, syntax) ? 1 : 0);
                    return new TokenSlot(-1, positional ? null : parameter.Name, null, false);
                }
                var index = argument.Syntax is ArgumentSyntax passedArgument ? written.IndexOf(passedArgument) : -1;
                if (index < 0)
                    return null;
                var passed = written[index];
                if (IsNoToken(argument.Value))
                    return new TokenSlot(index, null, null, true);
                return IsPlainName(passed.Expression) ? new TokenSlot(index, null, passed.Expression.WithoutTrivia(), false) : null;
            }

            var method = call.TargetMethod;
            if (method.Parameters.Any(p => p.IsParams) || CancellationTokens.FindTokenOverload(method.OriginalDefinition, types) is not { } overload)
                return null;
            return new TokenSlot(-1, anyNamed ? overload.Parameters[overload.Parameters.Length - 1].Name : null, null, false);
        }

        /// <summary>The call with <c>source.Token</c> in the slot.</summary>
        public InvocationExpressionSyntax PassTo(SyntaxNode currentCall, string sourceName)
        {
            var call = (InvocationExpressionSyntax)currentCall;
            var token = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(sourceName), SyntaxFactory.IdentifierName("Token"));
            var arguments = call.ArgumentList.Arguments;
            if (_argumentIndex >= 0)
                return _argumentIndex < arguments.Count
                    ? call.WithArgumentList(call.ArgumentList.WithArguments(arguments.Replace(arguments[_argumentIndex], arguments[_argumentIndex].WithExpression(token.WithTriviaFrom(arguments[_argumentIndex].Expression)))))
                    : call;
            var added = SyntaxFactory.Argument(token);
            if (_parameterName is not null)
                added = added.WithNameColon(SyntaxFactory.NameColon(_parameterName));
            return call.WithArgumentList(call.ArgumentList.WithArguments(arguments.Add(added)));
        }

        private static bool IsReducedExtensionCall(IInvocationOperation call, InvocationExpressionSyntax syntax)
            => call.TargetMethod.IsExtensionMethod && syntax.Expression is MemberAccessExpressionSyntax;

        private static bool IsNoToken(IOperation value)
            => OperationTree.Unwrap(value) is IDefaultValueOperation
                or IPropertyReferenceOperation { Property: { Name: "None", IsStatic: true } }
                or IObjectCreationOperation { Arguments.Length: 0 };

        /// <summary><c>ct</c>, <c>this.ct</c>, <c>context.RequestAborted</c>: read again by the source with the same value.</summary>
        private static bool IsPlainName(ExpressionSyntax expression)
            => expression switch
            {
                IdentifierNameSyntax => true,
                ThisExpressionSyntax => true,
                MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } member => IsPlainName(member.Expression),
                _ => false,
            };
    }

    /// <summary>The caller's token, as the analyzer wrote it, names something declared before the work (where the source goes).</summary>
    private static bool IsDeclaredBefore(string token, StatementSyntax statement, SemanticModel model)
    {
        var root = SyntaxFactory.ParseExpression(token);
        while (root is MemberAccessExpressionSyntax member)
            root = member.Expression;
        if (root is not IdentifierNameSyntax name)
            return false;
        return model.LookupSymbols(statement.SpanStart, name: name.Identifier.ValueText).FirstOrDefault() switch
        {
            IParameterSymbol => true,
            ILocalSymbol local => local.DeclaringSyntaxReferences.All(r => r.Span.End <= statement.SpanStart),
            _ => false,
        };
    }

    /// <summary><c>using var source = CancellationTokenSource.CreateLinkedTokenSource(link);</c>, or <c>new CancellationTokenSource()</c> with nothing to link.</summary>
    private static LocalDeclarationStatementSyntax SourceDeclaration(string name, ExpressionSyntax? link, SemanticModel model, int position)
    {
        var type = AwaitSyntax.FrameworkType("System.Threading.CancellationTokenSource", model, position);
        ExpressionSyntax create = link is null
            ? SyntaxFactory.ObjectCreationExpression(type).WithArgumentList(SyntaxFactory.ArgumentList())
            : SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, type, SyntaxFactory.IdentifierName("CreateLinkedTokenSource")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(link))));
        return SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(name).WithInitializer(SyntaxFactory.EqualsValueClause(create)))))
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword))
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>
    /// The new statement on a line of its own, indented as <paramref name="next"/>: with fixed trivia, not
    /// elastic, since the formatter puts a blank line between a block's closing brace and an elastic statement.
    /// </summary>
    private static StatementSyntax OnItsOwnLine(StatementSyntax statement, StatementSyntax next, SyntaxTrivia endOfLine)
    {
        var leading = next.GetLeadingTrivia();
        var indentation = leading.Count > 0 ? leading[leading.Count - 1] : default;
        return statement
            .WithLeadingTrivia(indentation.IsKind(SyntaxKind.WhitespaceTrivia) ? SyntaxFactory.TriviaList(indentation) : SyntaxFactory.TriviaList())
            .WithTrailingTrivia(SyntaxFactory.EndOfLine(endOfLine.ToString()));
    }

    /// <summary>The timeout's branch, cancelling the work first: <c>{ source.Cancel(); throw ...; }</c>.</summary>
    private static BlockSyntax CancellingBranch(SyntaxNode currentBranch, string sourceName)
    {
        var cancel = SyntaxFactory.ExpressionStatement(SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(sourceName), SyntaxFactory.IdentifierName("Cancel"))))
            .WithAdditionalAnnotations(Formatter.Annotation);
        if (currentBranch is BlockSyntax block)
            return block.WithStatements(block.Statements.Insert(0, cancel));
        var statement = (StatementSyntax)currentBranch;
        // The statement's own line break goes after the closing brace, so the formatter adds no blank line.
        return SyntaxFactory.Block(cancel, statement.WithoutTrivia())
            .WithCloseBraceToken(SyntaxFactory.Token(SyntaxKind.CloseBraceToken).WithTrailingTrivia(statement.GetTrailingTrivia()))
            .WithLeadingTrivia(statement.GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    private static bool Mentions(SyntaxNode node, string name)
        => node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == name);
}
