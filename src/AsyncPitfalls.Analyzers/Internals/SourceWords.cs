using System;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// A prefilter on the source text of a node, for rules whose shape needs a rare method name: a body
/// whose text never spells it cannot contain the call, so the rule skips the walk. Comments and
/// longer names can match too; then the walk runs and decides, as it would without the prefilter.
/// </summary>
internal static class SourceWords
{
    private const int ChunkLength = 4096;

    // One buffer per thread: the text is copied out in chunks rather than as a string per body.
    [ThreadStatic]
    private static char[]? s_chunk;

    /// <summary>Whether the text of <paramref name="node"/> contains <paramref name="word"/> or <paramref name="otherWord"/> (ordinal).</summary>
    public static bool MayMention(SyntaxNode node, string word, string otherWord)
    {
        // A tree without its text at hand (rare: trees built in code) would have to print itself; let the walk decide.
        if (!node.SyntaxTree.TryGetText(out var text))
            return true;

        var chunk = s_chunk ??= new char[ChunkLength];
        // Consecutive chunks overlap by one word length less one, so a word across the seam is still found.
        var overlap = Math.Max(word.Length, otherWord.Length) - 1;
        var span = node.Span;
        var position = span.Start;
        while (position < span.End)
        {
            var length = Math.Min(ChunkLength, span.End - position);
            text.CopyTo(position, chunk, 0, length);
            var window = new ReadOnlySpan<char>(chunk, 0, length);
            if (window.IndexOf(word.AsSpan()) >= 0 || window.IndexOf(otherWord.AsSpan()) >= 0)
                return true;
            if (position + length >= span.End)
                break;
            position += length - overlap;
        }
        return false;
    }
}
