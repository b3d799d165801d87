using System;
using System.IO;

namespace AsyncPitfalls.Bench;

/// <summary>The generated part of a docs page: the text between two HTML comment markers, rewritten by a run.</summary>
public static class DocsSection
{
    public static void Replace(string page, string name, string markdown)
    {
        var begin = $"<!-- {name}: begin -->";
        var end = $"<!-- {name}: end -->";
        var text = File.ReadAllText(page);
        var beginAt = text.IndexOf(begin, StringComparison.Ordinal);
        var endAt = text.IndexOf(end, StringComparison.Ordinal);
        if (beginAt < 0 || endAt < beginAt)
            throw new InvalidOperationException($"{page} needs the markers '{begin}' and '{end}'.");
        File.WriteAllText(page, text[..(beginAt + begin.Length)] + Environment.NewLine + Environment.NewLine + markdown + Environment.NewLine + text[endAt..]);
    }
}
