using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3002: wraps the statements between the acquisition and the release in <c>try</c>, with the
/// release in its <c>finally</c>. A local declared in between and used after the release keeps its
/// scope: its declaration moves before the <c>try</c> and its initializer stays inside as an
/// assignment (<c>int x; try { x = Compute(); } finally { ... } return x;</c>). Not offered when such a
/// local cannot be declared apart from its value (a <c>using</c> or <c>ref</c> local, a ref struct,
/// a type with no name, an array initializer), nor when an out variable, a pattern variable or a
/// local function from in between is used after the release, nor when a <c>using</c> declaration in
/// between would be disposed before the release instead of after it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseNotInFinallyCodeFix)), Shared]
public sealed class ReleaseNotInFinallyCodeFix : EditCodeFixProvider
{
    public ReleaseNotInFinallyCodeFix()
        : base(DiagnosticIds.ReleaseNotInFinally, "AP3002.TryFinally")
    {
    }

    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        if (diagnostic.Properties.ContainsKey(ReleaseNotInFinallyAnalyzer.SkippedReleaseProperty))
            return MoveToFinally(context, diagnostic);
        if (diagnostic.AdditionalLocations.Count != 1
            || context.FindNode(diagnostic).FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax block } acquire
            || context.Root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan) is not StatementSyntax release
            || release.Parent != block)
            return null;
        var first = block.Statements.IndexOf(acquire);
        var last = block.Statements.IndexOf(release);
        if (first < 0 || last <= first + 1
            || !TryNameInferredTypes(block, first, last, context, out var inferredTypes)
            || Split(block, first, last, inferredTypes) is null)
            return null;

        return CodeEdit.Replace("Release in a finally block", block, current => Wrap((BlockSyntax)current, acquire, release, inferredTypes))
            .AndTrack(acquire, release);
    }

    /// <summary>
    /// The release is the last statement of the try that follows the acquisition (a plain <c>return x;</c> may follow it):
    /// it moves to the start of the try's finally (a new one when there is none). The success path releases at the same
    /// point as before; a failing one now releases too, after the catch.
    /// </summary>
    private static CodeEdit? MoveToFinally(EditContext context, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(ReleaseNotInFinallyAnalyzer.MoveToFinallyProperty)
            || diagnostic.AdditionalLocations.Count != 1
            || context.Root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan) is not ExpressionStatementSyntax release
            || release.Parent is not BlockSyntax { Parent: TryStatementSyntax @try } body
            || body != @try.Block)
            return null;
        return CodeEdit.Replace("Release in a finally block", @try, current => MoveIntoFinally((TryStatementSyntax)current, release))
            .AndTrack(release);
    }

    private static TryStatementSyntax MoveIntoFinally(TryStatementSyntax @try, ExpressionStatementSyntax originalRelease)
    {
        if (@try.GetCurrentNode(originalRelease) is not { Parent: BlockSyntax body } release || body != @try.Block)
            return @try;
        var newTry = @try.WithBlock(body.WithStatements(body.Statements.Remove(release)));
        newTry = newTry.Finally is { Block.Statements.Count: > 0 } @finally
            ? newTry.WithFinally(@finally.WithBlock(@finally.Block.WithStatements(@finally.Block.Statements.Insert(0,
                release.WithLeadingTrivia(@finally.Block.Statements[0].GetLeadingTrivia()).WithTrailingTrivia(release.GetTrailingTrivia())))))
            : newTry.WithFinally(SyntaxFactory.FinallyClause(SyntaxFactory.Block(release.WithoutTrivia().WithAdditionalAnnotations(Formatter.Annotation))));
        return newTry.WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>The block with the statements between the acquisition and the release in a try, and the release in its finally.</summary>
    private static BlockSyntax Wrap(BlockSyntax block, StatementSyntax acquire, StatementSyntax release, ImmutableDictionary<string, TypeSyntax> inferredTypes)
    {
        // Another pair in the same block may have been wrapped already: find this one's statements again.
        var first = block.GetCurrentNode(acquire) is { } currentAcquire ? block.Statements.IndexOf(currentAcquire) : -1;
        var last = block.GetCurrentNode(release) is { } currentRelease ? block.Statements.IndexOf(currentRelease) : -1;
        if (first < 0 || last <= first + 1 || Split(block, first, last, inferredTypes) is not { } split)
            return block;
        var (declarations, guarded) = split;
        var releaseNow = block.Statements[last];
        var indentation = block.Statements[first + 1].GetLeadingTrivia();
        var @try = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(guarded),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(releaseNow.WithoutTrivia())))
            .WithLeadingTrivia(declarations.Count == 0 ? indentation : SyntaxFactory.TriviaList(SyntaxFactory.ElasticMarker))
            .WithTrailingTrivia(releaseNow.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        var statements = block.Statements.Take(first + 1).Concat(declarations).Append(@try).Concat(block.Statements.Skip(last + 1));
        return block.WithStatements(SyntaxFactory.List(statements));
    }

    /// <summary>
    /// The statements between positions <paramref name="first"/> and <paramref name="last"/> of the block, split
    /// into the declarations that must stay visible after the release (they go before the try) and what the try
    /// guards; null when a local used after the release cannot be declared apart from its value.
    /// </summary>
    private static (List<StatementSyntax> Declarations, List<StatementSyntax> Guarded)? Split(BlockSyntax block, int first, int last, ImmutableDictionary<string, TypeSyntax> inferredTypes)
    {
        var usedLater = NamesUsedAfter(block, last);
        var declarations = new List<StatementSyntax>();
        var guarded = new List<StatementSyntax>();
        for (var i = first + 1; i < last; i++)
        {
            var statement = block.Statements[i];
            // Disposed at the end of the block, after the release: in the try it would be disposed before it.
            if (statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 })
                return null;
            if (DeclaredOutsideALocalDeclaration(statement).Any(usedLater.Contains))
                return null;
            if (statement is not LocalDeclarationStatementSyntax declaration || !declaration.Declaration.Variables.Any(v => usedLater.Contains(v.Identifier.ValueText)))
            {
                guarded.Add(statement);
                continue;
            }

            if (declaration.IsConst)
            {
                // A constant computes nothing: it moves whole.
                declarations.Add(declaration.WithLeadingTrivia(SyntaxFactory.ElasticMarker).WithAdditionalAnnotations(Formatter.Annotation));
                continue;
            }
            if (DeclarationApart(declaration, inferredTypes) is not { } declarationOnly)
                return null;
            declarations.Add(declarationOnly);
            guarded.AddRange(Assignments(declaration));
        }
        return guarded.Count == 0 ? null : (declarations, guarded);
    }

    /// <summary><c>T a, b;</c> for <c>T a = x, b;</c> (<c>var</c> replaced by the inferred type); null when that would not compile or means something else.</summary>
    private static LocalDeclarationStatementSyntax? DeclarationApart(LocalDeclarationStatementSyntax declaration, ImmutableDictionary<string, TypeSyntax> inferredTypes)
    {
        var type = declaration.Declaration.Type;
        if (declaration.Modifiers.Count != 0 || declaration.AwaitKeyword.RawKind != 0 || type is RefTypeSyntax or ScopedTypeSyntax)
            return null;
        // An array initializer is valid in a declaration only, and a stackalloc'd span needs the declaration's scope.
        if (declaration.Declaration.Variables.Any(v => v.Initializer?.Value is InitializerExpressionSyntax or StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax))
            return null;
        if (type.IsVar)
        {
            if (!inferredTypes.TryGetValue(declaration.Declaration.Variables[0].Identifier.ValueText, out var inferred))
                return null;
            type = inferred.WithTriviaFrom(type);
        }

        var variables = declaration.Declaration.Variables.Select(v => v.WithInitializer(null).WithIdentifier(v.Identifier.WithTrailingTrivia()));
        return SyntaxFactory.LocalDeclarationStatement(SyntaxFactory.VariableDeclaration(type, SyntaxFactory.SeparatedList(variables)))
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary><c>a = x;</c> for each initialized variable of <c>T a = x, b;</c>, with the declaration's trivia around them.</summary>
    private static List<StatementSyntax> Assignments(LocalDeclarationStatementSyntax declaration)
    {
        var assignments = declaration.Declaration.Variables
            .Where(v => v.Initializer is not null)
            .Select(v => (StatementSyntax)SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName(v.Identifier.WithoutTrivia()), v.Initializer!.Value.WithoutTrivia())).WithAdditionalAnnotations(Formatter.Annotation))
            .ToList();
        if (assignments.Count > 0)
        {
            assignments[0] = assignments[0].WithLeadingTrivia(declaration.GetLeadingTrivia());
            assignments[assignments.Count - 1] = assignments[assignments.Count - 1].WithTrailingTrivia(declaration.GetTrailingTrivia());
        }
        return assignments;
    }

    /// <summary>
    /// The types that <c>var</c> stands for, by variable name, for the locals declared with <c>var</c> in between
    /// and used after the release: written as the file would write them, and only when that name binds back to
    /// the same type there (not an anonymous type, nor one inaccessible from here). False when one has no such
    /// name, or the local is a ref struct, which cannot be assigned a value of a narrower scope later.
    /// </summary>
    private static bool TryNameInferredTypes(BlockSyntax block, int first, int last, EditContext context, out ImmutableDictionary<string, TypeSyntax> inferredTypes)
    {
        inferredTypes = ImmutableDictionary<string, TypeSyntax>.Empty;
        var usedLater = NamesUsedAfter(block, last);
        for (var i = first + 1; i < last; i++)
        {
            if (block.Statements[i] is not LocalDeclarationStatementSyntax { IsConst: false } declaration)
                continue;
            foreach (var variable in declaration.Declaration.Variables)
            {
                if (!usedLater.Contains(variable.Identifier.ValueText))
                    continue;
                if (context.Model.GetDeclaredSymbol(variable, context.CancellationToken) is not ILocalSymbol local || local.Type.IsRefLikeType)
                    return false;
                if (!declaration.Declaration.Type.IsVar)
                    continue;
                if (NameOf(local.Type, declaration.SpanStart, context.Model) is not { } name)
                    return false;
                inferredTypes = inferredTypes.SetItem(variable.Identifier.ValueText, name);
            }
        }
        return true;
    }

    private static TypeSyntax? NameOf(ITypeSymbol type, int position, SemanticModel model)
    {
        if (type.TypeKind == TypeKind.Error)
            return null;
        var name = SyntaxFactory.ParseTypeName(type.ToMinimalDisplayString(model, position, SymbolDisplayFormat.MinimallyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier)));
        var bound = model.GetSpeculativeTypeInfo(position, name, SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
        return !name.ContainsDiagnostics && SymbolEqualityComparer.Default.Equals(bound, type) ? name : null;
    }

    /// <summary>The names of the out variables, pattern variables, deconstructed locals and local functions a statement declares in its block's scope.</summary>
    private static IEnumerable<string> DeclaredOutsideALocalDeclaration(StatementSyntax statement)
    {
        if (statement is LocalFunctionStatementSyntax localFunction)
            return new[] { localFunction.Identifier.ValueText };
        return statement.DescendantNodes(n => !FunctionSyntax.IsFunction(n)).OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText);
    }

    private static HashSet<string> NamesUsedAfter(BlockSyntax block, int last)
        => new(block.Statements.Skip(last + 1).SelectMany(s => s.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()).Select(n => n.Identifier.ValueText));
}
