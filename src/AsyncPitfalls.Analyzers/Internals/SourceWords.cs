using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Internals;

/// <summary>
/// A prefilter on source text, for rules whose shape needs a rare method name: code whose text
/// never spells it cannot contain the call, so the rule skips the work. Comments and longer names
/// can match too; then the rule runs and decides, as it would without the prefilter.
/// </summary>
internal static class SourceWords
{
    private const int ChunkLength = 4096;

    // One buffer per thread: the text is copied out in chunks rather than as a string per body.
    [ThreadStatic]
    private static char[]? s_chunk;

    /// <summary>Whether the text of <paramref name="node"/> contains any of <paramref name="words"/> (ordinal).</summary>
    public static bool MayMention(SyntaxNode node, ImmutableArray<string> words)
        => MayMention(node.SyntaxTree, node.Span, words);

    /// <summary>Whether <paramref name="span"/> of <paramref name="tree"/> contains any of <paramref name="words"/> (ordinal).</summary>
    public static bool MayMention(SyntaxTree tree, TextSpan span, ImmutableArray<string> words)
    {
        // A tree without its text at hand (rare: trees built in code) would have to print itself; let the rule decide.
        if (!tree.TryGetText(out var text) || span.End > text.Length)
            return true;

        var chunk = s_chunk ??= new char[ChunkLength];
        // Consecutive chunks overlap by the longest word's length less one, so a word across the seam is still found.
        var longest = 1;
        foreach (var word in words)
            longest = Math.Max(longest, word.Length);
        var overlap = Math.Min(longest - 1, ChunkLength / 2);
        var position = span.Start;
        while (position < span.End)
        {
            var length = Math.Min(ChunkLength, span.End - position);
            text.CopyTo(position, chunk, 0, length);
            var window = new ReadOnlySpan<char>(chunk, 0, length);
            foreach (var word in words)
            {
                if (window.IndexOf(word.AsSpan()) >= 0)
                    return true;
            }
            if (position + length >= span.End)
                break;
            position += length - overlap;
        }
        return false;
    }
}
