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
/// and uses the field where the local was. Offered when the construction (arguments and
/// initializer: a timeout, a base address, constants) reads nothing local, and the local is only
/// used to send requests: configuring it after creation (headers, Dispose) would then happen on
/// every call against the shared client.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HttpClientPerOperationCodeFix)), Shared]
public sealed class HttpClientPerOperationCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "AP4002.HoistToStaticField";
    private const string BaseFieldName = "SharedHttpClient";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HttpClientPerOperation);

    // Each hoist adds a field to the same type: applied one after the other, so names stay unique.
    public override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
                return document;
            var marker = new SyntaxAnnotation(EquivalenceKey);
            var targets = diagnostics.Select(d => root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true)).ToList();
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
            if (!diagnostic.Properties.ContainsKey(HttpClientPerOperationAnalyzer.HoistableProperty)
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not BaseObjectCreationExpressionSyntax creation
                || Plan(creation) is null)
                continue;
            context.RegisterCodeFix(CodeAction.Create("Move it to a static readonly HttpClient field",
                async ct => await HoistAsync(context.Document, creation, ct).ConfigureAwait(false) ?? context.Document, EquivalenceKey), diagnostic);
        }
    }

    private sealed class HoistPlan
    {
        public HoistPlan(TypeDeclarationSyntax type, LocalDeclarationStatementSyntax? declaration, IReadOnlyList<IdentifierNameSyntax> uses)
        {
            Type = type;
            Declaration = declaration;
            Uses = uses;
        }

        public TypeDeclarationSyntax Type { get; }
        public LocalDeclarationStatementSyntax? Declaration { get; }
        public IReadOnlyList<IdentifierNameSyntax> Uses { get; }
    }

    /// <summary>Where the field goes, the declaration to remove and the uses to redirect; null when not safe.</summary>
    private static HoistPlan? Plan(BaseObjectCreationExpressionSyntax creation)
    {
        if (creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type)
            return null;
        if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent?.Parent is not LocalDeclarationStatementSyntax { Declaration.Variables.Count: 1 } declaration)
            return new HoistPlan(type, null, new List<IdentifierNameSyntax>());

        var function = FunctionSyntax.GetEnclosingFunction(declaration);
        if (function is null)
            return null;
        var name = declarator.Identifier.ValueText;
        var uses = function.DescendantNodes().OfType<IdentifierNameSyntax>().Where(i => i.Identifier.ValueText == name && i.SpanStart > declarator.Span.End).ToList();
        // Only 'client.SendSomething(...)': anything else configures or disposes the client per call.
        var onlyRequests = uses.All(use => use.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax, Name.Identifier.ValueText: var method } access
            && access.Expression == use && method != "Dispose" && method != "CancelPendingRequests");
        return onlyRequests ? new HoistPlan(type, declaration, uses) : null;
    }

    private static async Task<Document?> HoistAsync(Document document, BaseObjectCreationExpressionSyntax creation, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || Plan(creation) is not { } plan)
            return null;

        var fieldName = UniqueFieldName(plan.Type);
        var field = SyntaxFactory.FieldDeclaration(
                SyntaxFactory.VariableDeclaration(AwaitSyntax.FrameworkType("System.Net.Http.HttpClient"),
                    SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(fieldName)
                        // Without Fix All's marker: the moved construction is done with.
                        .WithInitializer(SyntaxFactory.EqualsValueClause(creation.WithoutTrivia().WithoutAnnotations(EquivalenceKey))))))
            .WithModifiers(SyntaxFactory.TokenList(
                SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.StaticKeyword), SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword)))
            .WithAdditionalAnnotations(Formatter.Annotation);

        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        var reference = SyntaxFactory.IdentifierName(fieldName);
        if (plan.Declaration is { } declaration)
        {
            editor.RemoveNode(declaration, SyntaxRemoveOptions.KeepNoTrivia);
            foreach (var use in plan.Uses)
                editor.ReplaceNode(use, reference.WithTriviaFrom(use));
        }
        else
        {
            editor.ReplaceNode(creation, reference.WithTriviaFrom(creation));
        }
        editor.InsertMembers(plan.Type, 0, new[] { field });
        return await FixedDocuments.WithRootAsync(document, editor.GetChangedRoot(), cancellationToken).ConfigureAwait(false);
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
