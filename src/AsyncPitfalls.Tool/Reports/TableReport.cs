using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AsyncPitfalls.Tool.Reports;

/// <summary>The default output: the summaries as aligned plain-text tables.</summary>
internal static class TableReport
{
    public static string Render(ScanReport report)
    {
        var output = new StringBuilder();
        output.Append("AsyncPitfalls scan of ").Append(report.Relative(report.Scanned) is { Length: > 0 } scanned ? scanned : report.Scanned);
        if (report.Preset is { } preset)
            output.Append(" (preset ").Append(preset).Append(')');
        output.Append('\n').Append(report.Totals()).Append("\n\n");

        var fired = report.RuleRows.Where(r => r.Count > 0).ToList();
        if (fired.Count == 0)
        {
            output.Append("No rule found anything.\n");
        }
        else
        {
            TextTable.Write(
                output,
                ["Rule", "Count", "Severity", "Title", "Example"],
                fired.Select(r => new[]
                {
                    r.Rule.Id, r.Count.ToString(CultureInfo.InvariantCulture), r.SeverityText, r.Rule.Title, report.Location(r.Example!),
                }),
                rightAligned: new HashSet<int> { 1 });
        }

        var quiet = report.RuleRows.Length - fired.Count;
        if (fired.Count > 0 && quiet > 0)
            output.Append(quiet.ToString(CultureInfo.InvariantCulture)).Append(" other rule(s) found nothing.\n");

        output.Append('\n');
        TextTable.Write(
            output,
            ["Project", "Findings", "Errors", "Warnings", "Info", "Path"],
            report.ProjectRows.Select(p => new[]
            {
                p.Name,
                p.Findings.ToString(CultureInfo.InvariantCulture),
                p.Errors.ToString(CultureInfo.InvariantCulture),
                p.Warnings.ToString(CultureInfo.InvariantCulture),
                p.Infos.ToString(CultureInfo.InvariantCulture),
                p.RelativePath + (p.CompilerErrors > 0 ? $" ({p.CompilerErrors} compiler errors: results may be incomplete)" : ""),
            }),
            rightAligned: new HashSet<int> { 1, 2, 3, 4 });
        return output.ToString();
    }
}
