using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RuntimeDemos.Infrastructure;

/// <summary>
/// A demo's measurements as an aligned table, the checks its verdict was judged on (measured value and required
/// margin, <see cref="Check"/>), and the one-line verdict on its claim.
/// </summary>
public sealed class DemoReport
{
    private readonly string[] _columns;
    private readonly List<string[]> _rows = new();
    private readonly List<(string BadVariant, bool Shown)> _harms = new();
    private readonly List<Check> _checks = new();

    public DemoReport(params string[] columns) => _columns = columns;

    public bool ClaimHolds { get; private set; }

    public string Verdict { get; private set; } = "no verdict";

    /// <summary>Every check the verdict was judged on, in the order they were made.</summary>
    public IReadOnlyList<Check> Checks => _checks;

    /// <summary>
    /// A pitfall demo's finding on each bad variant: whether it showed the pitfall's harm, judged by the demo's
    /// own margin against the good variant of the same run (all of that variant's harm checks met).
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

    /// <summary>
    /// The verdict: the claim holds when there is at least one check and every check is met. The checks, with
    /// what they measured and the margin they needed, are printed under the table.
    /// </summary>
    public DemoReport Conclude(string verdict, params Check[] checks)
    {
        _checks.AddRange(checks);
        ClaimHolds = _checks.Count > 0 && _checks.TrueForAll(check => check.Holds);
        Verdict = verdict;
        return this;
    }

    /// <summary>
    /// Records whether <paramref name="badVariant"/> showed the pitfall's harm: it did when every one of
    /// <paramref name="checks"/> is met (see <see cref="Harms"/>).
    /// </summary>
    public DemoReport Harm(string badVariant, params Check[] checks)
    {
        _checks.AddRange(checks);
        _harms.Add((badVariant, checks.Length > 0 && Array.TrueForAll(checks, check => check.Holds)));
        return this;
    }

    /// <summary>
    /// Concludes a pitfall demo: its claim holds when the good variant did its job (every one of
    /// <paramref name="goodVariant"/> met) and every bad variant showed its harm. Kept apart so that a run with the
    /// bad variants rewritten by the package's code fixes can ask whether the harm is gone
    /// (tests/RuntimeDemos.Tests, FixedVariantTests).
    /// </summary>
    public DemoReport ConcludePitfall(string verdict, params Check[] goodVariant)
    {
        GoodVariantHolds = goodVariant.Length > 0 && Array.TrueForAll(goodVariant, check => check.Holds);
        Conclude(verdict, goodVariant);
        ClaimHolds = GoodVariantHolds && _harms.Count > 0 && _harms.TrueForAll(harm => harm.Shown) && _checks.TrueForAll(check => check.Holds);
        return this;
    }

    /// <summary>The report of a demo that threw: its claim did not hold.</summary>
    public static DemoReport Threw(Exception exception)
        => new DemoReport("error").AddRow(exception.GetType().Name)
            .Conclude($"The demo threw: {exception.Message}", Check.Observed("the demo ran to its end", false, "yes", "no: it threw"));

    public string Render()
    {
        var text = new StringBuilder();
        AppendTable(text, _columns, _rows);
        if (_checks.Count > 0)
        {
            text.AppendLine();
            AppendTable(text, CheckColumns, _checks.Select(c => new[] { c.What, c.Measured, c.Required, c.Holds ? "met" : "NOT MET" }).ToList());
        }
        text.AppendLine();
        text.Append(ClaimHolds ? "  PASS  " : "  FAIL  ");
        var unmet = _checks.Where(c => !c.Holds).ToList();
        if (!ClaimHolds && unmet.Count > 0)
            text.Append("not met: ").AppendJoin("; ", unmet.Select(c => $"{c.What} ({c.Measured}, required {c.Required})")).Append(". ");
        text.AppendLine(Verdict);
        return text.ToString();
    }

    private static readonly string[] CheckColumns = { "check", "measured", "required", "" };

    private static void AppendTable(StringBuilder text, string[] columns, List<string[]> rows)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        AppendRow(text, columns, widths);
        text.Append("  ").AppendJoin("  ", widths.Select(w => new string('-', w))).AppendLine();
        foreach (var row in rows)
            AppendRow(text, row, widths);
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
