using System.Collections.Immutable;
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
/// AP3006: moves the acquisition (and any statements before it in the try) in front of the try, so
/// the finally runs only once the lock is held. Offered when the try has no catch (moving would
/// change what it catches) and the finally only releases, or the acquisition comes first.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AcquireInsideTryCodeFix)), Shared]
public sealed class AcquireInsideTryCodeFix : EditCodeFixProvider
{
    public AcquireInsideTryCodeFix()
        : base(DiagnosticIds.AcquireInsideTry, "AP3006.AcquireBeforeTry")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (diagnostic.Properties.TryGetValue(AcquireInsideTryAnalyzer.TimedWaitFixProperty, out var timedWaitFix))
            return GuardTheRelease(context, diagnostic, timedWaitFix);
        if (!diagnostic.Properties.ContainsKey(AcquireInsideTryAnalyzer.MovableProperty)
            || context.FindNode(diagnostic).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax { Parent: TryStatementSyntax @try } } acquire
            || @try.Parent is not BlockSyntax outer)
            return null;

        return CodeEdit.Replace("Acquire before the try", outer, current => MoveBeforeTry((BlockSyntax)current, @try, acquire))
            .AndTrack(@try, acquire);
    }

    private static BlockSyntax MoveBeforeTry(BlockSyntax outer, TryStatementSyntax originalTry, StatementSyntax originalAcquire)
    {
        // Another try in the same block may have been fixed already: find this one's nodes again.
        if (outer.GetCurrentNode(originalTry) is not { } @try || @try.GetCurrentNode(originalAcquire) is not { Parent: BlockSyntax body } acquire || body != @try.Block)
            return outer;
        var count = body.Statements.IndexOf(acquire) + 1;
        var moved = body.Statements.Take(count).Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
        moved[0] = moved[0].WithLeadingTrivia(@try.GetLeadingTrivia());
        // The try keeps its place but loses the blank line before it, which now precedes the moved statements.
        var newTry = @try.WithBlock(body.WithStatements(SyntaxFactory.List(body.Statements.Skip(count))))
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);
        var index = outer.Statements.IndexOf(@try);
        var statements = outer.Statements.Take(index).Concat(moved).Append(newTry).Concat(outer.Statements.Skip(index + 1));
        return outer.WithStatements(SyntaxFactory.List(statements));
    }

    /// <summary>
    /// A timed wait whose result the finally ignores: the result goes to a local (a new <c>acquired</c>, or the one the
    /// code already has) and the finally releases only when it is true. The code under the try runs as before; only the
    /// release of a slot the wait never took goes.
    /// </summary>
    private static CodeEdit? GuardTheRelease(EditContext context, Diagnostic diagnostic, string? kind)
    {
        if (diagnostic.AdditionalLocations.Count != 1
            || context.Root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan) is not ExpressionStatementSyntax release
            || release.Parent is not BlockSyntax { Parent: FinallyClauseSyntax { Parent: TryStatementSyntax @try } }
            || context.FindNode(diagnostic).FirstAncestorOrSelf<StatementSyntax>() is not { } wait)
            return null;
        diagnostic.Properties.TryGetValue(AcquireInsideTryAnalyzer.FlagProperty, out var flag);
        switch (kind)
        {
            case AcquireInsideTryAnalyzer.TimedWaitFix.Guard when flag is not null:
                return CodeEdit.Replace(Title, @try, current => GuardIn((TryStatementSyntax)current, release, flag))
                    .AndTrack(release);
            case AcquireInsideTryAnalyzer.TimedWaitFix.CaptureBefore when wait is ExpressionStatementSyntax { Parent: BlockSyntax block } && @try.Parent == block:
                return CodeEdit.Replace(Title, block, current => CaptureBefore((BlockSyntax)current, (ExpressionStatementSyntax)wait, @try, release))
                    .AndTrack(wait, @try, release);
            case AcquireInsideTryAnalyzer.TimedWaitFix.DeclareFlag when wait is ExpressionStatementSyntax && wait.Parent == @try.Block && @try.Parent is BlockSyntax block:
                return CodeEdit.Replace(Title, block, current => DeclareFlag((BlockSyntax)current, wait, @try, release, null))
                    .AndTrack(wait, @try, release);
            case AcquireInsideTryAnalyzer.TimedWaitFix.HoistLocal when flag is not null && wait is LocalDeclarationStatementSyntax { Declaration.Variables.Count: 1 } declaration
                && declaration.Modifiers.Count == 0 && wait.Parent == @try.Block && @try.Parent is BlockSyntax block && DeclaredOnce(wait, flag):
                return CodeEdit.Replace(Title, block, current => DeclareFlag((BlockSyntax)current, wait, @try, release, flag))
                    .AndTrack(wait, @try, release);
            default:
                return null;
        }
    }

    private const string Title = "Release only when the wait succeeded";

    private static TryStatementSyntax GuardIn(TryStatementSyntax @try, ExpressionStatementSyntax originalRelease, string flag)
        => @try.GetCurrentNode(originalRelease) is { } release ? @try.ReplaceNode(release, Guarded(release, flag)) : @try;

    /// <summary><c>if (acquired) _gate.Release();</c> in place of <c>_gate.Release();</c>.</summary>
    private static IfStatementSyntax Guarded(ExpressionStatementSyntax release, string flag)
        => ((IfStatementSyntax)SyntaxFactory.ParseStatement("if (" + flag + ") " + release.WithoutTrivia().ToFullString()))
            .WithTriviaFrom(release);

    private static BlockSyntax CaptureBefore(BlockSyntax block, ExpressionStatementSyntax originalWait, TryStatementSyntax originalTry, ExpressionStatementSyntax originalRelease)
    {
        if (block.GetCurrentNode(originalWait) is not { } wait || block.GetCurrentNode(originalTry) is not { } @try)
            return block;
        var name = UnusedName(block, originalRelease, originalWait);
        var declaration = SyntaxFactory.LocalDeclarationStatement(SyntaxFactory.VariableDeclaration(SyntaxFactory.IdentifierName("var"),
                SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                    .WithInitializer(SyntaxFactory.EqualsValueClause(wait.Expression.WithoutTrivia())))))
            .WithTriviaFrom(wait)
            .WithAdditionalAnnotations(Formatter.Annotation);
        return block.ReplaceNodes(new SyntaxNode[] { wait, @try }, (original, _) => original == wait ? declaration : GuardIn(@try, originalRelease, name));
    }

    /// <summary>
    /// <c>var acquired = false;</c> (or the local declared with the wait, initialized to false) before the try, the wait
    /// assigning it, the release guarded by it.
    /// </summary>
    private static BlockSyntax DeclareFlag(BlockSyntax block, StatementSyntax originalWait, TryStatementSyntax originalTry, ExpressionStatementSyntax originalRelease, string? local)
    {
        if (block.GetCurrentNode(originalTry) is not { } @try || @try.GetCurrentNode(originalWait) is not { } wait)
            return block;
        var name = local ?? UnusedName(block, originalRelease, originalWait);
        TypeSyntax type = SyntaxFactory.IdentifierName("var");
        ExpressionSyntax value;
        if (wait is LocalDeclarationStatementSyntax declaration)
        {
            type = declaration.Declaration.Type.WithoutTrivia();
            value = declaration.Declaration.Variables[0].Initializer!.Value.WithoutTrivia();
        }
        else
        {
            value = ((ExpressionStatementSyntax)wait).Expression.WithoutTrivia();
        }
        var flag = SyntaxFactory.LocalDeclarationStatement(SyntaxFactory.VariableDeclaration(type,
                SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                    .WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression))))))
            .WithLeadingTrivia(@try.GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        var assignment = SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(name), value))
            .WithTriviaFrom(wait)
            .WithAdditionalAnnotations(Formatter.Annotation);
        var newTry = @try.ReplaceNode(wait, assignment);
        newTry = GuardIn(newTry, originalRelease, name).WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithAdditionalAnnotations(Formatter.Annotation);
        var index = block.Statements.IndexOf(@try);
        return block.WithStatements(SyntaxFactory.List(block.Statements.Take(index).Append(flag).Append(newTry).Concat(block.Statements.Skip(index + 1))));
    }

    /// <summary>
    /// <c>gateAcquired</c> for <c>_gate</c> (<c>acquired</c> when the lock has no plain name), or <c>gateAcquired2</c>...
    /// when the member or the block (with the other fixes of a Fix All in it) uses the name. Named after the semaphore, the
    /// flags of two semaphores in one method come out the same whichever Fix All starts from.
    /// </summary>
    private static string UnusedName(BlockSyntax current, ExpressionStatementSyntax release, SyntaxNode original)
    {
        var used = current.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
        var baseName = FlagName(release);
        var taken = 0;
        while (true)
        {
            var name = LocalNames.Unused(original, baseName, taken++);
            if (!used.Contains(name))
                return name;
        }
    }

    private static string FlagName(ExpressionStatementSyntax release)
    {
        var lockExpression = release.Expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: var receiver } } ? receiver : null;
        var name = lockExpression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Name: IdentifierNameSyntax member } => member.Identifier.ValueText,
            _ => "",
        };
        if (name.StartsWith("s_", System.StringComparison.Ordinal) || name.StartsWith("m_", System.StringComparison.Ordinal))
            name = name.Substring(2);
        name = name.TrimStart('_');
        if (name.Length == 0 || !name.All(char.IsLetterOrDigit) || !char.IsLetter(name[0]))
            return "acquired";
        return char.ToLowerInvariant(name[0]) + name.Substring(1) + "Acquired";
    }

    /// <summary>The local is declared once in its member: moving its declaration before the try clashes with no other.</summary>
    private static bool DeclaredOnce(SyntaxNode node, string name)
        => node.AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault() is { } member
            && member.DescendantTokens().Count(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == name
                && t.Parent is VariableDeclaratorSyntax or SingleVariableDesignationSyntax or ParameterSyntax or ForEachStatementSyntax or CatchDeclarationSyntax or LocalFunctionStatementSyntax) == 1;
}
