using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AsyncPitfalls.RealCode;

/// <summary>
/// One diagnostic on real code, keyed so that the key survives unrelated edits and re-decompilation: the library,
/// the rule, the decompiled file, the enclosing member's documentation id and the message with its line numbers
/// masked (some messages name the line of the other half of their finding). Equal keys are told apart by count.
/// </summary>
public sealed record Finding(string Library, string Rule, string File, string Member, string Message)
{
    private static readonly Regex LineNumber = new(@"\bline \d+", RegexOptions.CultureInvariant);

    public static Finding Create(string library, string rule, string file, string member, string message)
        => new(library, rule, file.Replace('\\', '/'), member, VerdictLedger.Clean(LineNumber.Replace(message, "line N")));
}

/// <summary>A verdict on a finding: <c>real</c> (a maintainer would accept the change, or a justified suppression) or <c>noise</c>.</summary>
public sealed record Verdict(Finding Finding, string Judgement, string Reason)
{
    public const string Real = "real";
    public const string Noise = "noise";
    public const string Unjudged = "?";

    public bool IsJudged => Judgement is Real or Noise && Reason.Length > 0;
}

/// <summary>
/// The committed verdict on every diagnostic the real-code check produces (bench/AsyncPitfalls.RealCode/verdicts.tsv):
/// one tab-separated row per diagnostic, sorted, so a diff shows what changed. The check fails while a diagnostic
/// has no judged row or a row matches no diagnostic: the ledger is always exactly the output.
/// </summary>
public sealed class VerdictLedger
{
    private const string Header = "library\trule\tfile\tmember\tmessage\tverdict\treason";

    private VerdictLedger(IReadOnlyList<Verdict> rows) => Rows = rows;

    public IReadOnlyList<Verdict> Rows { get; }

    public static VerdictLedger Read(string path)
    {
        if (!System.IO.File.Exists(path))
            return new VerdictLedger(Array.Empty<Verdict>());
        var rows = new List<Verdict>();
        foreach (var (line, number) in System.IO.File.ReadAllLines(path).Select((l, i) => (l, i + 1)).Skip(1))
        {
            if (line.Length == 0)
                continue;
            var cells = line.Split('\t');
            if (cells.Length != 7)
                throw new InvalidDataException($"{path}:{number}: expected 7 tab-separated cells, found {cells.Length}");
            rows.Add(new Verdict(new Finding(cells[0], cells[1], cells[2], cells[3], cells[4]), cells[5], cells[6]));
        }
        return new VerdictLedger(rows);
    }

    /// <summary>Each finding with its row, the findings without one, and the rows without a finding.</summary>
    public Reconciliation Reconcile(IEnumerable<Finding> findings)
    {
        var unused = Rows.GroupBy(r => r.Finding).ToDictionary(g => g.Key, g => new Queue<Verdict>(g));
        var matched = new List<Verdict>();
        var missing = new List<Finding>();
        foreach (var finding in findings)
        {
            if (unused.TryGetValue(finding, out var queue) && queue.Count > 0)
                matched.Add(queue.Dequeue());
            else
                missing.Add(finding);
        }
        var stale = unused.Values.SelectMany(q => q).ToList();
        return new Reconciliation(matched, missing, stale);
    }

    /// <summary>The ledger as it should be: matched rows kept, stale rows dropped, new findings added unjudged.</summary>
    public static void Write(string path, Reconciliation reconciliation)
    {
        var rows = reconciliation.Matched
            .Concat(reconciliation.Missing.Select(f => new Verdict(f, Verdict.Unjudged, "")))
            .OrderBy(r => r.Finding.Library, StringComparer.Ordinal)
            .ThenBy(r => r.Finding.Rule, StringComparer.Ordinal)
            .ThenBy(r => r.Finding.File, StringComparer.Ordinal)
            .ThenBy(r => r.Finding.Member, StringComparer.Ordinal)
            .ThenBy(r => r.Finding.Message, StringComparer.Ordinal);
        var text = new StringBuilder().Append(Header).Append('\n');
        foreach (var row in rows)
        {
            var f = row.Finding;
            text.Append(string.Join('\t', f.Library, f.Rule, f.File, f.Member, Clean(f.Message), row.Judgement, Clean(row.Reason))).Append('\n');
        }
        System.IO.File.WriteAllText(path, text.ToString());
    }

    internal static string Clean(string cell) => cell.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}

public sealed record Reconciliation(IReadOnlyList<Verdict> Matched, IReadOnlyList<Finding> Missing, IReadOnlyList<Verdict> Stale)
{
    public IEnumerable<Verdict> Unjudged => Matched.Where(v => !v.IsJudged);

    public bool IsExact => Missing.Count == 0 && Stale.Count == 0 && !Unjudged.Any();

    /// <summary>Per rule: real, noise and precision = real / (real + noise) over the judged rows.</summary>
    public IEnumerable<(string Rule, int Real, int Noise)> ByRule()
        => Matched.Where(v => v.IsJudged)
            .GroupBy(v => v.Finding.Rule)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(v => v.Judgement == Verdict.Real), g.Count(v => v.Judgement == Verdict.Noise)));
}
