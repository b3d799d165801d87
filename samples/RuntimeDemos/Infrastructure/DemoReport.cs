using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RuntimeDemos.Infrastructure;

/// <summary>A demo's measurements as an aligned table, and the one-line verdict on its claim.</summary>
public sealed class DemoReport
{
    private readonly string[] _columns;
    private readonly List<string[]> _rows = new();

    public DemoReport(params string[] columns) => _columns = columns;

    public bool ClaimHolds { get; private set; }

    public string Verdict { get; private set; } = "no verdict";

    public DemoReport AddRow(params string[] cells)
    {
        if (cells.Length != _columns.Length)
            throw new ArgumentException($"Expected {_columns.Length} cells, got {cells.Length}.");
        _rows.Add(cells);
        return this;
    }

    public DemoReport Conclude(bool claimHolds, string verdict)
    {
        ClaimHolds = claimHolds;
        Verdict = verdict;
        return this;
    }

    public string Render()
    {
        var widths = _columns.Select((c, i) => Math.Max(c.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        AppendRow(text, _columns, widths);
        text.Append("  ").AppendJoin("  ", widths.Select(w => new string('-', w))).AppendLine();
        foreach (var row in _rows)
            AppendRow(text, row, widths);
        text.AppendLine();
        text.Append(ClaimHolds ? "  PASS  " : "  FAIL  ").AppendLine(Verdict);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append("  ");
        for (var i = 0; i < cells.Length; i++)
        {
            // The first column is a label; the measurements line up on the right.
            text.Append(i == 0 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            if (i < cells.Length - 1)
                text.Append("  ");
        }
        text.AppendLine();
    }
}
