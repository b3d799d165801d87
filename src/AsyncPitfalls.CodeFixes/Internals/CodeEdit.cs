using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Editing;
using OnceChange = System.Collections.Generic.KeyValuePair<Microsoft.CodeAnalysis.SyntaxNode, System.Func<Microsoft.CodeAnalysis.SyntaxNode, Microsoft.CodeAnalysis.SyntaxNode>>;

namespace AsyncPitfalls.Internals;

/// <summary>
/// What one fix does to one document, for one diagnostic: a title and one or more steps on a
/// <see cref="SyntaxEditor"/> (replace, insert). Steps are recorded against the nodes of the
/// document as it was, so the edits of many diagnostics can share one editor (Fix All). A replacement
/// is built from the node's current version, with the edits inside it already applied: Fix All of
/// <c>Process(a.Result).Result</c> rewrites the inner wait first, then builds the outer one around it.
/// </summary>
public sealed class CodeEdit
{
    private readonly ImmutableArray<Action<SyntaxEditor>> _steps;
    private readonly ImmutableArray<OnceChange> _once;

    private CodeEdit(string title, SyntaxNode target, ImmutableArray<Action<SyntaxEditor>> steps, ImmutableArray<OnceChange> once, string? changesSignatureOf = null)
    {
        Title = title;
        Target = target;
        _steps = steps;
        _once = once;
        ChangesSignatureOf = changesSignatureOf;
    }

    /// <summary>The code action's title.</summary>
    public string Title { get; }

    /// <summary>The node the edit is about: the node it replaces, or the anchor of what it inserts.</summary>
    public SyntaxNode Target { get; }

    /// <summary>
    /// The method whose signature, seen by code outside this assembly or by derived types, the edit changes (a
    /// public method that becomes async), or null. Such an edit is never the main fix nor part of Fix All: it is
    /// offered on its own (see <see cref="EditCodeFixProvider"/>).
    /// </summary>
    public string? ChangesSignatureOf { get; }

    /// <summary>Replaces <paramref name="target"/> with what <paramref name="build"/> makes of its current version.</summary>
    public static CodeEdit Replace(string title, SyntaxNode target, Func<SyntaxNode, SyntaxNode> build)
        => new(title, target, ImmutableArray.Create(ReplaceStep(target, build)), ImmutableArray<OnceChange>.Empty);

    /// <summary>Inserts <paramref name="nodes"/> (statements, members, catch clauses) before <paramref name="anchor"/>, which stays.</summary>
    public static CodeEdit InsertBefore(string title, SyntaxNode anchor, IEnumerable<SyntaxNode> nodes)
    {
        var inserted = nodes.ToImmutableArray();
        return new(title, anchor, ImmutableArray.Create<Action<SyntaxEditor>>(editor => editor.InsertBefore(anchor, inserted)), ImmutableArray<OnceChange>.Empty);
    }

    /// <summary>Inserts <paramref name="node"/> after <paramref name="anchor"/>, which stays.</summary>
    public static CodeEdit InsertAfter(string title, SyntaxNode anchor, SyntaxNode node)
        => new(title, anchor, ImmutableArray.Create<Action<SyntaxEditor>>(editor => editor.InsertAfter(anchor, node)), ImmutableArray<OnceChange>.Empty);

    /// <summary>
    /// This edit, with <paramref name="nodes"/> (inside a replaced node) tracked: its build finds their
    /// current versions with <c>current.GetCurrentNode(original)</c>, wherever other edits of the same
    /// pass have changed or moved them. For fixes that rearrange the statements of a block, where two
    /// fixes may share the block or one may lie inside what the other moves. The tracking goes before the
    /// edit's own steps: the editor checks that a tracked node is still there, and a build may remove it
    /// (AP5001 splices a try's statements into the block around it).
    /// </summary>
    public CodeEdit AndTrack(params SyntaxNode[] nodes)
        => new(Title, Target, _steps.Insert(0, editor =>
        {
            foreach (var node in nodes)
                editor.TrackNode(node);
        }), _once, ChangesSignatureOf);

    /// <summary>
    /// This edit, and a change to an enclosing node that every edit under it asks for (make the
    /// function async): applied once per node, after all the edits of the document, so that two
    /// fixes in one method do not both rewrite its signature.
    /// </summary>
    public CodeEdit AndOnce(SyntaxNode node, Func<SyntaxNode, SyntaxNode> build)
        => new(Title, Target, _steps, _once.Add(new OnceChange(node, build)), ChangesSignatureOf);

    /// <summary>This edit, marked as changing the visible signature of the method <paramref name="name"/>.</summary>
    public CodeEdit ChangingSignatureOf(string name)
        => new(Title, Target, _steps, _once, name);

    /// <summary>Records the steps in <paramref name="editor"/>, and the once-per-node changes in <paramref name="once"/> (the last request for a node wins).</summary>
    internal void ApplyTo(SyntaxEditor editor, IDictionary<SyntaxNode, Func<SyntaxNode, SyntaxNode>> once)
    {
        foreach (var step in _steps)
            step(editor);
        foreach (var pair in _once)
            once[pair.Key] = pair.Value;
    }

    private static Action<SyntaxEditor> ReplaceStep(SyntaxNode node, Func<SyntaxNode, SyntaxNode> build)
        => editor => editor.ReplaceNode(node, (current, _) => build(current));
}
