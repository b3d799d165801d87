using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>A span marked in test source: <c>[|...|]</c>, <c>{|AP1002:...|}</c> or <c>{|#0:...|}</c>.</summary>
internal sealed record MarkedSpan(TextSpan Span, string? DiagnosticId, int? LocationIndex);

/// <summary>Parses the Microsoft.CodeAnalysis.Testing markup, so tests can move to that package unchanged.</summary>
internal static class TestMarkup
{
    public static (string Source, List<MarkedSpan> Spans) Parse(string markup)
    {
        var output = new StringBuilder(markup.Length);
        var spans = new List<MarkedSpan>();
        var open = new Stack<(int Start, string? Id, int? Index, bool Brace)>();
        for (var i = 0; i < markup.Length; i++)
        {
            if (Matches(markup, i, "[|"))
            {
                open.Push((output.Length, null, null, false));
                i++;
            }
            else if (Matches(markup, i, "{|") && markup.IndexOf(':', i) is var colon && colon > i)
            {
                var label = markup.Substring(i + 2, colon - i - 2);
                if (label.StartsWith('#'))
                    open.Push((output.Length, null, int.Parse(label.Substring(1)), true));
                else
                    open.Push((output.Length, label, null, true));
                i = colon;
            }
            else if ((Matches(markup, i, "|]") || Matches(markup, i, "|}")) && open.Count > 0 && open.Peek().Brace == (markup[i + 1] == '}'))
            {
                var (start, id, index, _) = open.Pop();
                spans.Add(new MarkedSpan(TextSpan.FromBounds(start, output.Length), id, index));
                i++;
            }
            else
            {
                output.Append(markup[i]);
            }
        }

        if (open.Count > 0)
            throw new System.ArgumentException("Unclosed markup span in test source.");
        return (output.ToString(), spans);
    }

    private static bool Matches(string text, int index, string token)
        => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;
}
