using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The shared shape of the fixes that rewrite the document of their diagnostic: a subclass names its
/// rule and equivalence key and says, per diagnostic, which <see cref="CodeEdit"/> fixes it (or null
/// when no safe rewrite exists). This class registers the code actions and applies the edits, one
/// diagnostic's or Fix All's, in one <see cref="SyntaxEditor"/> pass per document, innermost first.
/// A provider may offer further fixes beside its main one, each with its own equivalence key (AP2001's
/// "Discard explicitly").
/// <para>
/// How the keys are registered, so that Fix All fixes every diagnostic it can whichever it starts from:
/// <c>dotnet format</c> and the IDE take the key of the first action registered for one diagnostic (dotnet format:
/// the first the analyzer returns, null when it has no fix) and fix all the others with it.
/// </para>
/// <list type="bullet">
/// <item>The first action of a diagnostic carries the main key and is that diagnostic's preferred fix: the main
/// edit, or, when the diagnostic has only further fixes (AP2001 where no await can go), the first of them.
/// Fix All with the main key, or with none, applies each diagnostic's preferred fix and skips those without.</item>
/// <item>An edit that changes a signature other code sees (<see cref="CodeEdit.ChangesSignatureOf"/>) is never
/// the preferred fix: it is offered on its own, titled so, with the key <c>main key + ".ChangesSignature"</c>,
/// first when the diagnostic has no preferred fix. Fix All with that key does what the main key's does: each
/// signature change is confirmed one at a time, and starting from one does not block the others.</item>
/// <item>The further fixes follow with their own keys; Fix All with one of them applies it wherever it applies.</item>
/// </list>
/// </summary>
public abstract class EditCodeFixProvider : CodeFixProvider
{
    private readonly string _equivalenceKey;
    private readonly string _signatureChangeKey;

    protected EditCodeFixProvider(string diagnosticId, string equivalenceKey)
    {
        FixableDiagnosticIds = ImmutableArray.Create(diagnosticId);
        _equivalenceKey = equivalenceKey;
        _signatureChangeKey = equivalenceKey + ".ChangesSignature";
    }

    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <summary>
    /// The edit of the main fix for one diagnostic, or null when it does not apply; marked with
    /// <see cref="CodeEdit.ChangingSignatureOf"/> when it changes a signature other code sees.
    /// </summary>
    protected abstract CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic);

    /// <summary>
    /// Whether any fix is offered for the diagnostic, for the few fixes whose safety needs more than the
    /// document (a search of the solution for the method's uses); asked before the edits, in Fix All too.
    /// </summary>
    protected virtual Task<bool> IsOfferedAsync(Document document, EditContext context, Diagnostic diagnostic) => s_offered;

    private static readonly Task<bool> s_offered = Task.FromResult(true);

    /// <summary>
    /// What the one-at-a-time action that changes a signature other code sees also changes in the other documents of
    /// the solution (their calls awaiting the method), given the solution that holds the fixed document; by default
    /// nothing. Never part of Fix All, which never changes such a signature.
    /// </summary>
    protected virtual Task<Solution> WithOtherDocumentsUpdatedAsync(Document original, Solution fixedSolution, Diagnostic diagnostic, CancellationToken cancellationToken)
        => Task.FromResult(fixedSolution);

    /// <summary>The equivalence keys of the further fixes, in the order they are offered.</summary>
    protected virtual ImmutableArray<string> OtherEquivalenceKeys => ImmutableArray<string>.Empty;

    /// <summary>The edit of one of <see cref="OtherEquivalenceKeys"/> for one diagnostic, or null when it does not apply.</summary>
    protected virtual CodeEdit? GetOtherEdit(EditContext context, Diagnostic diagnostic, string equivalenceKey) => null;

    /// <summary>
    /// Whether the usings that inserted type names need (<see cref="AwaitSyntax.TaskType"/>,
    /// <see cref="AwaitSyntax.FrameworkType(string)"/>) are added. A few fixes did not add them before
    /// this base existed and keep it that way: their text stays as it was.
    /// </summary>
    protected virtual bool AddsImports => true;

    // Edits can nest (a call fixed inside the arguments of another fixed call) and several can ask to
    // change one enclosing function: independent batch edits would conflict, so Fix All rewrites each
    // document in one pass.
    public sealed override FixAllProvider GetFixAllProvider()
        => FixAllProvider.Create(async (context, document, diagnostics)
            => await FixDocumentAsync(document, diagnostics, EditsFor(context.CodeActionEquivalenceKey), context.CancellationToken).ConfigureAwait(false));

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
            return;

        var editContext = new EditContext(root, model, context.CancellationToken);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!await IsOfferedAsync(document, editContext, diagnostic).ConfigureAwait(false))
                continue;

            var others = OtherEquivalenceKeys
                .Select(key => (Key: key, Edit: GetOtherEdit(editContext, diagnostic, key)))
                .Where(other => other.Edit is not null)
                .ToList();
            switch (GetEdit(editContext, diagnostic))
            {
                case { ChangesSignatureOf: null } edit:
                    Register(edit.Title, _equivalenceKey, PreferredEdit);
                    break;
                case { ChangesSignatureOf: { } method } edit:
                    context.RegisterCodeFix(
                        CodeAction.Create($"{edit.Title} (changes the signature of '{method}')",
                            async ct =>
                            {
                                var fixedDocument = await FixDocumentAsync(document, ImmutableArray.Create(diagnostic), GetEdit, ct).ConfigureAwait(false);
                                return await WithOtherDocumentsUpdatedAsync(document, fixedDocument.Project.Solution, diagnostic, ct).ConfigureAwait(false);
                            },
                            _signatureChangeKey),
                        diagnostic);
                    break;
                case null when others.Count > 0:
                    // Only further fixes: the first is this diagnostic's preferred fix, under the main key, so that a
                    // Fix All started here fixes the other diagnostics their own way instead of all this way.
                    Register(others[0].Edit!.Title, _equivalenceKey, PreferredEdit);
                    others.RemoveAt(0);
                    break;
            }

            foreach (var (key, edit) in others)
                Register(edit!.Title, key, EditsFor(key));

            void Register(string title, string key, Func<EditContext, Diagnostic, CodeEdit?> edits)
                => context.RegisterCodeFix(
                    CodeAction.Create(title, ct => FixDocumentAsync(document, ImmutableArray.Create(diagnostic), edits, ct), key),
                    diagnostic);
        }
    }

    /// <summary>What Fix All applies for an equivalence key: null, the main key and the signature change's key all mean each diagnostic's preferred fix.</summary>
    private Func<EditContext, Diagnostic, CodeEdit?> EditsFor(string? equivalenceKey)
        => equivalenceKey is null || equivalenceKey == _equivalenceKey || equivalenceKey == _signatureChangeKey || !OtherEquivalenceKeys.Contains(equivalenceKey)
            ? PreferredEdit
            : (context, diagnostic) => GetOtherEdit(context, diagnostic, equivalenceKey);

    /// <summary>
    /// The main edit unless it changes a visible signature (then nothing: that change is confirmed on its own);
    /// without a main edit, the first further fix that applies.
    /// </summary>
    private CodeEdit? PreferredEdit(EditContext context, Diagnostic diagnostic)
    {
        if (GetEdit(context, diagnostic) is { } edit)
            return edit.ChangesSignatureOf is null ? edit : null;
        foreach (var key in OtherEquivalenceKeys)
        {
            if (GetOtherEdit(context, diagnostic, key) is { } other)
                return other;
        }
        return null;
    }

    private async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, Func<EditContext, Diagnostic, CodeEdit?> edits, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
            return document;

        var context = new EditContext(root, model, cancellationToken);
        var editor = new SyntaxEditor(root, document.Project.Solution.Workspace.Services);
        var once = new Dictionary<SyntaxNode, Func<SyntaxNode, SyntaxNode>>();
        var planned = new List<(CodeEdit Edit, int Start)>();
        foreach (var diagnostic in diagnostics)
        {
            if (!await IsOfferedAsync(document, context, diagnostic).ConfigureAwait(false))
                continue;
            if (edits(context, diagnostic) is { } edit)
                planned.Add((edit, diagnostic.Location.SourceSpan.Start));
        }
        if (planned.Count == 0)
            return document;

        // Innermost target first, so that an outer replacement is built from its already fixed inside. Edits of one
        // target (AP3002's two lock pairs in one block) go last-first: the later pair nests inside the earlier one.
        foreach (var (edit, _) in planned.OrderBy(e => e.Edit.Target.Span.Length).ThenByDescending(e => e.Start))
            edit.ApplyTo(editor, once);

        foreach (var pair in once)
            editor.ReplaceNode(pair.Key, (current, _) => pair.Value(current));

        var newRoot = editor.GetChangedRoot();
        return AddsImports
            ? await FixedDocuments.WithRootAsync(document, newRoot, cancellationToken).ConfigureAwait(false)
            : document.WithSyntaxRoot(newRoot);
    }
}

/// <summary>
/// One document as a fix sees it, made once per code fix request or Fix All document, so that
/// the questions every diagnostic asks about the file are answered once.
/// </summary>
public sealed class EditContext
{
    private bool? _configureAwaitFalse;
    private bool _typesResolved;
    private KnownTypes? _types;
    private Dictionary<IMethodSymbol, bool>? _usedInOtherDocuments;

    internal EditContext(SyntaxNode root, SemanticModel model, CancellationToken cancellationToken)
    {
        Root = root;
        Model = model;
        CancellationToken = cancellationToken;
    }

    public SyntaxNode Root { get; }

    public SemanticModel Model { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Whether the file awaits with <c>ConfigureAwait(false)</c> (see <see cref="AwaitSyntax.FileUsesConfigureAwaitFalse"/>); asked once, it walks the whole file.</summary>
    public bool ConfigureAwaitFalse => _configureAwaitFalse ??= AwaitSyntax.FileUsesConfigureAwaitFalse(Root);

    /// <summary>The compilation's well-known types, or null when Task and its kin are absent.</summary>
    internal KnownTypes? Types
    {
        get
        {
            if (!_typesResolved)
            {
                _types = KnownTypes.TryCreate(Model.Compilation, out var types) ? types : null;
                _typesResolved = true;
            }
            return _types;
        }
    }

    /// <summary>
    /// Whether a method is used in another document of the solution, as a fix found out before its edits (a
    /// search is asynchronous, edits are not); null when nobody asked.
    /// </summary>
    internal bool? IsUsedInOtherDocuments(IMethodSymbol method)
        => _usedInOtherDocuments is not null && _usedInOtherDocuments.TryGetValue(method, out var used) ? used : null;

    internal void RecordUsedInOtherDocuments(IMethodSymbol method, bool used)
        => (_usedInOtherDocuments ??= new Dictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default))[method] = used;

    /// <summary>The diagnostic's node, as the analyzer reported it.</summary>
    public SyntaxNode FindNode(Diagnostic diagnostic)
        => Root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);

    /// <summary>The token where the diagnostic starts: for diagnostics reported on a keyword or a header.</summary>
    public SyntaxToken FindToken(Diagnostic diagnostic)
        => Root.FindToken(diagnostic.Location.SourceSpan.Start);
}
