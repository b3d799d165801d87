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
    private readonly List<(string BadVariant, bool Shown)> _harms = new();

    public DemoReport(params string[] columns) => _columns = columns;

    public bool ClaimHolds { get; private set; }

    public string Verdict { get; private set; } = "no verdict";

    /// <summary>
    /// A pitfall demo's finding on each bad variant: whether it showed the pitfall's harm, judged by the demo's
    /// own threshold against the good variant of the same run.
    /// </summary>
    public IReadOnlyList<(string BadVariant, bool Shown)> Harms => _harms;

    /// <summary>A pitfall demo's good variant did its job (the baseline the harms are judged against).</summary>
    public bool GoodVariantHolds { get; private set; }

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

    /// <summary>Records whether <paramref name="badVariant"/> showed the pitfall's harm (see <see cref="Harms"/>).</summary>
    public DemoReport Harm(string badVariant, bool shown)
    {
        _harms.Add((badVariant, shown));
        return this;
    }

    /// <summary>
    /// Concludes a pitfall demo: its claim holds when the good variant did its job and every bad variant showed
    /// its harm. Kept apart so that a run with the bad variants rewritten by the package's code fixes can ask
    /// whether the harm is gone (tests/RuntimeDemos.Tests, FixedVariantTests).
    /// </summary>
    public DemoReport ConcludePitfall(bool goodVariantHolds, string verdict)
    {
        GoodVariantHolds = goodVariantHolds;
        return Conclude(goodVariantHolds && _harms.Count > 0 && _harms.TrueForAll(harm => harm.Shown), verdict);
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
