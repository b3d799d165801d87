using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4002: moves the client into a <c>private static readonly HttpClient</c> field (uniquely named)
/// and uses the field where the local was; in top-level statements, which have no type to hold a
/// field, into a local declared before the statement that holds the construction (before the first
/// statement, for a local function, which may be used before it is declared), that the handlers capture.
/// Each variant has its own title and equivalence key. Offered when the construction (arguments and
/// initializer: a timeout, a base address, constants) reads nothing local, and the local is only
/// used to send requests: configuring it after creation (headers, Dispose) would then happen on
/// every call against the shared client.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HttpClientPerOperationCodeFix)), Shared]
public sealed class HttpClientPerOperationCodeFix : CodeFixProvider
{
    private const string FieldKey = "AP4002.HoistToStaticField";
    private const string TopLevelLocalKey = "AP4002.HoistToTopLevelLocal";
    private const string FieldTitle = "Move it to a static readonly HttpClient field";
    private const string HandlersLocalTitle = "Create one HttpClient for all requests, before the handlers";
    private const string LoopLocalTitle = "Create one HttpClient before the loop, for all its iterations";
    // Marks, during Fix All, the constructions still to hoist.
    private const string MarkerKind = "AP4002.Hoist";
    private const string BaseFieldName = "SharedHttpClient";
    private const string BaseLocalName = "sharedHttpClient";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HttpClientPerOperation);

    // Each hoist adds a field to the same type: applied one after the other, so names stay unique.
    // The two keys are never alternatives for one diagnostic (where the client is decides between a field and a
    // top-level local): Fix All from either hoists every client its own way, so that it gives one result whichever
    // diagnostic it starts from, as dotnet format needs.
    public override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
                return document;
            var marker = new SyntaxAnnotation(MarkerKind);
            // Only the diagnostics the fix is offered for: Fix All may start from any diagnostic, with any key.
            var targets = diagnostics.Where(IsHoistable).Select(d => root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true)).ToList();
            document = document.WithSyntaxRoot(root.ReplaceNodes(targets, (_, current) => current.WithAdditionalAnnotations(marker)));
            for (var i = 0; i < targets.Count; i++)
            {
                var currentRoot = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
                var next = currentRoot!.GetAnnotatedNodes(marker).FirstOrDefault(n => n is BaseObjectCreationExpressionSyntax);
                if (next is null)
                    break;
                document = await HoistAsync(document, (BaseObjectCreationExpressionSyntax)next, context.CancellationToken).ConfigureAwait(false) ?? document;
                // Whether hoisted or not, this creation is done with.
                var after = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
                var stale = after!.GetAnnotatedNodes(marker).FirstOrDefault(n => n is BaseObjectCreationExpressionSyntax);
                if (stale is not null && stale.SpanStart == next.SpanStart)
                    document = document.WithSyntaxRoot(after.ReplaceNode(stale, stale.WithoutAnnotations(marker)));
            }
            return document;
        });

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!IsHoistable(diagnostic)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not BaseObjectCreationExpressionSyntax creation
                || Plan(creation) is not { } plan)
                continue;
            var (title, key) = plan.Home is TypeDeclarationSyntax
                ? (FieldTitle, FieldKey)
                : (IsInFunction(creation) ? HandlersLocalTitle : LoopLocalTitle, TopLevelLocalKey);
            context.RegisterCodeFix(CodeAction.Create(title,
                async ct => await HoistAsync(context.Document, creation, ct).ConfigureAwait(false) ?? context.Document, key), diagnostic);
        }
    }

    /// <summary>
    /// In top-level statements the rule reports a client in a handler (a lambda or a local function, or in a loop
    /// there) or in a loop of the statements themselves: the title says which the local is hoisted out of.
    /// </summary>
    private static bool IsInFunction(SyntaxNode creation)
        => creation.Ancestors().TakeWhile(a => a is not GlobalStatementSyntax).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);

    /// <summary>The analyzer found the construction static-safe: it reads no instance, local or method type parameter.</summary>
    private static bool IsHoistable(Diagnostic diagnostic)
        => diagnostic.Properties.ContainsKey(HttpClientPerOperationAnalyzer.HoistableProperty);

    private sealed class HoistPlan
    {
        public HoistPlan(SyntaxNode home, StatementSyntax? declaration, IReadOnlyList<IdentifierNameSyntax> uses)
        {
            Home = home;
            Declaration = declaration;
            Uses = uses;
        }

        /// <summary>The type that gets the field, or the compilation unit of top-level statements that gets the local.</summary>
        public SyntaxNode Home { get; }

        /// <summary>The local declaration or <c>using</c> statement that held the client; null for an inline receiver.</summary>
        public StatementSyntax? Declaration { get; }
        public IReadOnlyList<IdentifierNameSyntax> Uses { get; }
    }

    /// <summary>Where the field goes, the declaration to remove and the uses to redirect; null when not safe.</summary>
    private static HoistPlan? Plan(BaseObjectCreationExpressionSyntax creation)
    {
        if (((SyntaxNode?)creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() ?? TopLevelHome(creation)) is not { } home)
            return null;
        // 'new HttpClient().GetStringAsync(url)': nothing else ever sees the client.
        if (creation.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax } inline && inline.Expression == creation)
            return IsRequest(inline) ? new HoistPlan(home, null, new List<IdentifierNameSyntax>()) : null;
        // Anywhere else (an argument, an assignment, 'using (new HttpClient())', one of several
        // declarators) the client can be configured or disposed where the fix cannot see it.
        if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } variables)
            return null;

        StatementSyntax statement;
        SyntaxNode scope;
        switch (variables.Parent)
        {
            // Not in a switch section: its locals are in scope in the other sections too.
            case LocalDeclarationStatementSyntax { Parent: BlockSyntax } local:
                statement = local;
                scope = local.Parent!;
                break;
            case UsingStatementSyntax { AwaitKeyword.RawKind: 0 } usingStatement:
                statement = usingStatement;
                scope = usingStatement.Statement;
                break;
            default:
                return null;
        }

        var name = declarator.Identifier.ValueText;
        var uses = scope.DescendantNodes().OfType<IdentifierNameSyntax>().Where(i => i.Identifier.ValueText == name && i.SpanStart > declarator.Span.End).ToList();
        // Only 'client.SendSomething(...)': setting Timeout, BaseAddress or DefaultRequestHeaders, or
        // Dispose, would run on every call against the shared client (and throw after its first request).
        var onlyRequests = uses.All(use => use.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax } access
            && access.Expression == use && IsRequest(access));
        return onlyRequests ? new HoistPlan(home, statement, uses) : null;
    }

    /// <summary>
    /// The compilation unit of the top-level statements around <paramref name="creation"/> (a minimal API's
    /// handlers live there), when a local declared before them can be captured: not from a <c>static</c>
    /// lambda or local function.
    /// </summary>
    private static CompilationUnitSyntax? TopLevelHome(SyntaxNode creation)
    {
        foreach (var ancestor in creation.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda when lambda.Modifiers.Any(SyntaxKind.StaticKeyword):
                case LocalFunctionStatementSyntax local when local.Modifiers.Any(SyntaxKind.StaticKeyword):
                    return null;
                case GlobalStatementSyntax { Parent: CompilationUnitSyntax unit }:
                    return unit;
                case MemberDeclarationSyntax:
                    return null;
            }
        }
        return null;
    }

    private static bool IsRequest(MemberAccessExpressionSyntax access)
        => access.Name.Identifier.ValueText is not ("Dispose" or "CancelPendingRequests");

    private static async Task<Document?> HoistAsync(Document document, BaseObjectCreationExpressionSyntax creation, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || Plan(creation) is not { } plan)
            return null;

        var fieldName = plan.Home is TypeDeclarationSyntax type ? UniqueFieldName(type) : UniqueLocalName(plan.Home);
        var field = SyntaxFactory.FieldDeclaration(
                SyntaxFactory.VariableDeclaration(AwaitSyntax.FrameworkType("System.Net.Http.HttpClient"),
                    SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(fieldName)
                        // Without Fix All's marker: the moved construction is done with.
                        .WithInitializer(SyntaxFactory.EqualsValueClause(creation.WithoutTrivia().WithoutAnnotations(MarkerKind))))))
            .WithModifiers(SyntaxFactory.TokenList(
                SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.StaticKeyword), SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword)))
            .WithAdditionalAnnotations(Formatter.Annotation);

        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        var reference = SyntaxFactory.IdentifierName(fieldName);
        switch (plan.Declaration)
        {
            case UsingStatementSyntax usingStatement:
                // The shared client must outlive the call: the using goes, its body stays.
                var body = usingStatement.Statement.ReplaceNodes(plan.Uses, (use, _) => reference.WithTriviaFrom(use));
                if (usingStatement.Parent is BlockSyntax block)
                {
                    var index = block.Statements.IndexOf(usingStatement);
                    var statements = Unwrapped(body).Select(s => s.WithAdditionalAnnotations(Formatter.Annotation));
                    editor.ReplaceNode(block, (current, _) => ((BlockSyntax)current).WithStatements(
                        ((BlockSyntax)current).Statements.RemoveAt(index).InsertRange(index, statements)));
                }
                else
                {
                    editor.ReplaceNode(usingStatement, AsBlock(body).WithTriviaFrom(usingStatement).WithAdditionalAnnotations(Formatter.Annotation));
                }
                break;
            case { } declaration:
                editor.RemoveNode(declaration, SyntaxRemoveOptions.KeepNoTrivia);
                foreach (var use in plan.Uses)
                    editor.ReplaceNode(use, reference.WithTriviaFrom(use));
                break;
            default:
                editor.ReplaceNode(creation, reference.WithTriviaFrom(creation));
                break;
        }
        if (plan.Home is TypeDeclarationSyntax home)
        {
            // After the fields already there: static initializers run in text order, and the construction may read them.
            var lastField = home.Members.LastOrDefault(m => m is BaseFieldDeclarationSyntax);
            editor.InsertMembers(home, lastField is null ? 0 : home.Members.IndexOf(lastField) + 1, new[] { field });
            return await FixedDocuments.WithRootAsync(document, editor.GetChangedRoot(), cancellationToken).ConfigureAwait(false);
        }

        // The edits above change statements, never which members the compilation unit has: the index still holds.
        var unit = (CompilationUnitSyntax)editor.GetChangedRoot();
        var anchor = unit.Members[((CompilationUnitSyntax)plan.Home).Members.IndexOf(TopLevelAnchor(creation))];
        var local = SyntaxFactory.GlobalStatement(SyntaxFactory.LocalDeclarationStatement(SyntaxFactory.VariableDeclaration(
                creation is ObjectCreationExpressionSyntax ? SyntaxFactory.IdentifierName("var") : AwaitSyntax.FrameworkType("System.Net.Http.HttpClient"),
                SyntaxFactory.SingletonSeparatedList(field.Declaration.Variables[0]))))
            .WithLeadingTrivia(anchor.GetLeadingTrivia())
            // A plain line break: an elastic one would let the formatter set the statement apart with a blank line.
            .WithTrailingTrivia(SyntaxFactory.EndOfLine(AwaitSyntax.EndOfLine(unit).ToString()))
            .WithAdditionalAnnotations(Formatter.Annotation);
        var members = unit.Members.Replace(anchor, anchor.WithLeadingTrivia()).Insert(unit.Members.IndexOf(anchor), local);
        return await FixedDocuments.WithRootAsync(document, unit.WithMembers(members), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The statements that replace a using's body in its block: the body's own statements when they
    /// declare nothing (a name moved into the outer block could clash there), else the body as a block.
    /// </summary>
    private static IEnumerable<StatementSyntax> Unwrapped(StatementSyntax body)
    {
        var statements = body is BlockSyntax block ? (IEnumerable<StatementSyntax>)block.Statements : new[] { body };
        return statements.Any(DeclaresNames) ? new[] { AsBlock(body) } : statements;
    }

    private static bool DeclaresNames(StatementSyntax statement)
        => statement.DescendantNodesAndSelf().Any(n => n is LocalDeclarationStatementSyntax or LocalFunctionStatementSyntax
            or SingleVariableDesignationSyntax or LabeledStatementSyntax);

    private static BlockSyntax AsBlock(StatementSyntax statement)
        => statement as BlockSyntax ?? SyntaxFactory.Block(statement);

    /// <summary>
    /// The top-level statement the local goes before: the one holding the construction, so that it is assigned
    /// before a handler there is registered, or the first one for a local function, which can be used anywhere.
    /// </summary>
    private static GlobalStatementSyntax TopLevelAnchor(SyntaxNode creation)
    {
        var statement = creation.FirstAncestorOrSelf<GlobalStatementSyntax>()!;
        return statement.Statement is LocalFunctionStatementSyntax
            ? ((CompilationUnitSyntax)statement.Parent!).Members.OfType<GlobalStatementSyntax>().First()
            : statement;
    }

    /// <summary>A name no identifier of the file uses: a top-level local is in scope in all its statements, lambdas included.</summary>
    private static string UniqueLocalName(SyntaxNode unit)
    {
        var names = unit.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
        var name = BaseLocalName;
        for (var i = 2; names.Contains(name); i++)
            name = BaseLocalName + i;
        return name;
    }

    private static string UniqueFieldName(TypeDeclarationSyntax type)
    {
        var names = type.Members.SelectMany(m => m switch
        {
            BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText),
            PropertyDeclarationSyntax property => new[] { property.Identifier.ValueText },
            MethodDeclarationSyntax method => new[] { method.Identifier.ValueText },
            _ => Enumerable.Empty<string>(),
        }).ToImmutableHashSet();
        var name = BaseFieldName;
        for (var i = 2; names.Contains(name); i++)
            name = BaseFieldName + i;
        return name;
    }
}
