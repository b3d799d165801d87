using System.Globalization;
using System.Linq;
using System.Text;

namespace AsyncPitfalls.Tool.Reports;

/// <summary>The summaries as GitHub-flavoured Markdown tables (for a pull-request comment or a job summary).</summary>
internal static class MarkdownReport
{
    public static string Render(ScanReport report)
    {
        var output = new StringBuilder();
        output.Append("# AsyncPitfalls scan of `").Append(report.Relative(report.Scanned)).Append("`\n\n");
        if (report.Preset is { } preset)
            output.Append("Preset: ").Append(preset).Append(".\n\n");
        output.Append(report.Totals()).Append(".\n\n");

        output.Append("## Rules\n\n");
        var fired = report.RuleRows.Where(r => r.Count > 0).ToList();
        if (fired.Count == 0)
        {
            output.Append("No rule found anything.\n\n");
        }
        else
        {
            output.Append("| Rule | Count | Severity | Title | Example |\n|---|---:|---|---|---|\n");
            foreach (var row in fired)
            {
                output.Append("| [").Append(row.Rule.Id).Append("](").Append(row.Rule.HelpUri).Append(") | ")
                    .Append(row.Count.ToString(CultureInfo.InvariantCulture)).Append(" | ")
                    .Append(row.SeverityText).Append(" | ")
                    .Append(Cell(row.Rule.Title)).Append(" | `")
                    .Append(Cell(report.Location(row.Example!))).Append("` |\n");
            }

            output.Append('\n');
        }

        output.Append("## Projects\n\n| Project | Findings | Errors | Warnings | Info |\n|---|---:|---:|---:|---:|\n");
        foreach (var project in report.ProjectRows)
        {
            output.Append("| ").Append(Cell(project.Name));
            if (project.CompilerErrors > 0)
                output.Append(" (").Append(project.CompilerErrors.ToString(CultureInfo.InvariantCulture)).Append(" compiler errors: results may be incomplete)");
            output.Append(" | ").Append(project.Findings.ToString(CultureInfo.InvariantCulture))
                .Append(" | ").Append(project.Errors.ToString(CultureInfo.InvariantCulture))
                .Append(" | ").Append(project.Warnings.ToString(CultureInfo.InvariantCulture))
                .Append(" | ").Append(project.Infos.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
        }

        return output.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
}
