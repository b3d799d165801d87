using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Baselines;

/// <summary>
/// What identifies a diagnostic in the baseline, computed the same way by the suppressor (in builds and the IDE) and
/// by the <c>asyncpitfalls</c> tool: rule, file relative to the baseline's folder, enclosing member, a hash of the
/// normalized message, and an ordinal among equal keys. No line numbers, so inserted lines and reordered members
/// leave every fingerprint as it was.
/// </summary>
internal static class BaselineFingerprints
{
    /// <summary>
    /// The fingerprint of each diagnostic, in the order given. <paramref name="semanticModel"/> may return null for a
    /// tree it cannot bind (the member is then empty). Ordinals count within the diagnostics given, so pass every
    /// diagnostic of a file at once (a compilation's, or one document's: the key includes the file).
    /// </summary>
    public static ImmutableArray<(Diagnostic Diagnostic, BaselineEntry Entry)> Compute(
        IEnumerable<Diagnostic> diagnostics, string baselineDirectory, Func<SyntaxTree, SemanticModel?> semanticModel, CancellationToken cancellationToken)
        => Compute(diagnostics, baselineDirectory, semanticModel, include: null, cancellationToken);

    /// <summary>
    /// As above, for the diagnostics whose rule and file <paramref name="include"/> accepts (rule, relative file); the
    /// others get no fingerprint. Equal keys share rule and file, so leaving some out changes no other's ordinal.
    /// </summary>
    public static ImmutableArray<(Diagnostic Diagnostic, BaselineEntry Entry)> Compute(
        IEnumerable<Diagnostic> diagnostics, string baselineDirectory, Func<SyntaxTree, SemanticModel?> semanticModel, Func<string, string, bool>? include, CancellationToken cancellationToken)
    {
        var directory = NormalizePath(baselineDirectory ?? "");
        var filesByTree = new Dictionary<SyntaxTree, string>();
        var modelsByTree = new Dictionary<SyntaxTree, SemanticModel?>();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var memberIds = new Dictionary<SyntaxNode, string>();
        var keys = new List<Key>();
        using (var sha = SHA256.Create())
        {
            foreach (var diagnostic in diagnostics)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var location = diagnostic.Location;
                var tree = location.SourceTree;
                string file;
                if (tree is null)
                {
                    file = RelativePath(directory, location.Kind == LocationKind.None ? "" : location.GetLineSpan().Path ?? "");
                }
                else if (filesByTree.TryGetValue(tree, out var known))
                {
                    file = known;
                }
                else
                {
                    file = RelativePath(directory, tree.FilePath ?? "");
                    filesByTree.Add(tree, file);
                }

                if (include is not null && !include(diagnostic.Id, file))
                    continue;

                var member = "";
                if (tree is not null)
                {
                    if (!modelsByTree.TryGetValue(tree, out var model))
                    {
                        model = semanticModel(tree);
                        modelsByTree.Add(tree, model);
                    }
                    if (model is not null)
                        member = MemberId(model, location.SourceSpan.Start, memberIds, cancellationToken);
                }

                var message = diagnostic.GetMessage(CultureInfo.InvariantCulture) ?? "";
                if (!hashes.TryGetValue(message, out var hash))
                {
                    hash = MessageHash(message, sha);
                    hashes.Add(message, hash);
                }
                keys.Add(new Key(diagnostic, file, member, hash, location.SourceSpan.Start, keys.Count));
            }
        }

        // Ordinals in source order among equal keys; the input order breaks ties, so equal input gives equal output.
        var ordinals = new int[keys.Count];
        var sorted = keys.OrderBy(k => k.Diagnostic.Id, StringComparer.Ordinal)
            .ThenBy(k => k.File, StringComparer.Ordinal)
            .ThenBy(k => k.Member, StringComparer.Ordinal)
            .ThenBy(k => k.Message, StringComparer.Ordinal)
            .ThenBy(k => k.Start)
            .ThenBy(k => k.Index)
            .ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].SameKeyAs(sorted[i - 1]))
                ordinals[sorted[i].Index] = ordinals[sorted[i - 1].Index] + 1;
        }

        var result = ImmutableArray.CreateBuilder<(Diagnostic, BaselineEntry)>(keys.Count);
        foreach (var key in keys)
            result.Add((key.Diagnostic, new BaselineEntry(key.Diagnostic.Id, key.File, key.Member, key.Message, ordinals[key.Index])));
        return result.MoveToImmutable();
    }

    /// <summary>
    /// The first 16 hex digits of the SHA-256 of the message with every run of digits as one <c>0</c> (some messages
    /// name line numbers) and every run of whitespace as one space, trimmed.
    /// </summary>
    public static string MessageHash(string message)
    {
        using var sha = SHA256.Create();
        return MessageHash(message, sha);
    }

    /// <summary>The message as it is hashed (see <see cref="MessageHash(string)"/>).</summary>
    public static string NormalizeMessage(string message)
    {
        var text = new StringBuilder(message.Length);
        var i = 0;
        while (i < message.Length)
        {
            var c = message[i];
            if (char.IsDigit(c))
            {
                text.Append('0');
                while (i < message.Length && char.IsDigit(message[i]))
                    i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                text.Append(' ');
                while (i < message.Length && char.IsWhiteSpace(message[i]))
                    i++;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }
        return text.ToString().Trim();
    }

    /// <summary>
    /// The documentation comment id of the member whose declaration contains <paramref name="position"/>: the innermost
    /// method, property, event, indexer, operator, enum member or field variable (a lambda or local function counts as
    /// the member it is written in), the type when the position is in a type but outside its members, and the
    /// synthesized entry point in top-level statements. Empty at namespace level and when there is no symbol.
    /// </summary>
    public static string MemberId(SemanticModel model, int position, CancellationToken cancellationToken)
        => MemberId(model, position, ids: null, cancellationToken);

    /// <summary>As above, with the ids found so far by declaration (many findings share a member).</summary>
    private static string MemberId(SemanticModel model, int position, Dictionary<SyntaxNode, string>? ids, CancellationToken cancellationToken)
    {
        var root = model.SyntaxTree.GetRoot(cancellationToken);
        if (position < 0 || position > root.FullSpan.End)
            return "";
        var declaration = MemberDeclaration(root.FindToken(position).Parent, position);
        if (declaration is null)
            return "";
        if (ids is not null && ids.TryGetValue(declaration, out var known))
            return known;

        var id = declaration is GlobalStatementSyntax
            ? IdOf(ContainingMember(model.GetEnclosingSymbol(position, cancellationToken)))
            : IdOf(model.GetDeclaredSymbol(declaration, cancellationToken));
        ids?.Add(declaration, id);
        return id;
    }

    /// <summary>
    /// The innermost member declaration, field variable or top-level statement around <paramref name="node"/>; null at
    /// namespace level. Every position in a top-level statement has the same member (the entry point).
    /// </summary>
    private static SyntaxNode? MemberDeclaration(SyntaxNode? node, int position)
    {
        for (; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case BaseNamespaceDeclarationSyntax:
                    return null;
                case GlobalStatementSyntax:
                    return node;
                case BaseFieldDeclarationSyntax field:
                    var variables = field.Declaration.Variables;
                    return variables.FirstOrDefault(v => v.FullSpan.Contains(position)) ?? variables.FirstOrDefault();
                case MemberDeclarationSyntax:
                    return node;
            }
        }
        return null;
    }

    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="directory"/> with <c>/</c> separators (both normalized, compared
    /// ignoring case, as Windows paths may differ in a drive letter's case): <c>src/A.cs</c> inside it, <c>../src/A.cs</c>
    /// beside it; the whole normalized path when the two share no root (another drive, or a relative path).
    /// </summary>
    public static string RelativePath(string directory, string path)
    {
        var normalized = NormalizePath(path);
        directory = NormalizePath(directory);
        if (directory.Length == 0)
            return normalized;
        directory = directory.TrimEnd('/');
        var prefix = directory + "/";
        if (normalized.Length > prefix.Length && normalized.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return normalized.Substring(prefix.Length);

        var directoryParts = directory.Split('/');
        var pathParts = normalized.Split('/');
        var common = 0;
        while (common < directoryParts.Length && common < pathParts.Length - 1
            && string.Equals(directoryParts[common], pathParts[common], StringComparison.OrdinalIgnoreCase))
            common++;
        if (common == 0 || !IsRooted(normalized) || directoryParts.Skip(common).Any(p => p == ".."))
            return normalized;
        var relative = new StringBuilder();
        for (var i = common; i < directoryParts.Length; i++)
            relative.Append("../");
        return relative.Append(string.Join("/", pathParts, common, pathParts.Length - common)).ToString();
    }

    private static bool IsRooted(string normalizedPath)
        => normalizedPath.StartsWith("/", StringComparison.Ordinal) || (normalizedPath.Length >= 2 && normalizedPath[1] == ':');

    /// <summary><c>/</c> separators; <c>.</c> segments, empty segments and <c>..</c> after a named segment removed.</summary>
    public static string NormalizePath(string path)
    {
        path = path.Replace('\\', '/');
        if (path.IndexOf("/.", StringComparison.Ordinal) < 0 && path.IndexOf("//", StringComparison.Ordinal) < 0 && !path.StartsWith("./", StringComparison.Ordinal))
            return path;

        var parts = path.Split('/');
        var kept = new List<string>(parts.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "." || (part.Length == 0 && i > 0 && i < parts.Length - 1))
                continue;
            if (part == ".." && kept.Count > 0 && kept[kept.Count - 1] is not ".." and not "" && !kept[kept.Count - 1].EndsWith(":", StringComparison.Ordinal))
            {
                kept.RemoveAt(kept.Count - 1);
                continue;
            }
            kept.Add(part);
        }
        return string.Join("/", kept);
    }

    private static string MessageHash(string message, SHA256 sha)
    {
        var digest = sha.ComputeHash(Encoding.UTF8.GetBytes(NormalizeMessage(message)));
        var text = new StringBuilder(16);
        for (var i = 0; i < 8; i++)
            text.Append(digest[i].ToString("x2", CultureInfo.InvariantCulture));
        return text.ToString();
    }

    private static ISymbol? ContainingMember(ISymbol? symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            symbol = symbol.ContainingSymbol;
        return symbol;
    }

    private static string IdOf(ISymbol? symbol) => symbol?.GetDocumentationCommentId() ?? "";

    private sealed class Key
    {
        public Key(Diagnostic diagnostic, string file, string member, string message, int start, int index)
        {
            Diagnostic = diagnostic;
            File = file;
            Member = member;
            Message = message;
            Start = start;
            Index = index;
        }

        public Diagnostic Diagnostic { get; }

        public string File { get; }

        public string Member { get; }

        public string Message { get; }

        public int Start { get; }

        public int Index { get; }

        public bool SameKeyAs(Key other)
            => string.Equals(Diagnostic.Id, other.Diagnostic.Id, StringComparison.Ordinal)
                && string.Equals(File, other.File, StringComparison.Ordinal)
                && string.Equals(Member, other.Member, StringComparison.Ordinal)
                && string.Equals(Message, other.Message, StringComparison.Ordinal);
    }
}
