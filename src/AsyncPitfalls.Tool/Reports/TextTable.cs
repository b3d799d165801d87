using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AsyncPitfalls.Tool.Reports;

/// <summary>Columns padded to their widest cell; numeric columns right-aligned. Plain text, so it reads the same in a log.</summary>
internal static class TextTable
{
    public static void Write(StringBuilder output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, ISet<int>? rightAligned = null)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var c = 0; c < headers.Count; c++)
            {
                if (c > 0)
                    line.Append("  ");
                var cell = row[c];
                line.Append(rightAligned is not null && rightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            }

            output.Append(line.ToString().TrimEnd()).Append('\n');
            if (ReferenceEquals(row, headers))
                output.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        }
    }
}
