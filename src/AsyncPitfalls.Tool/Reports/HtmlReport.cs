using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace AsyncPitfalls.Tool.Reports;

/// <summary>One self-contained page: the summaries, then every finding with its location and message.</summary>
internal static class HtmlReport
{
    public static string Render(ScanReport report)
    {
        var output = new StringBuilder();
        var title = "AsyncPitfalls scan of " + report.Relative(report.Scanned);
        output.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}td.n{text-align:right}")
            .Append(".error{color:#b00020}.warning{color:#9a6700}.info{color:#0550ae}code{font-size:.95em}</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(E(title)).Append("</h1>\n");
        if (report.Preset is { } preset)
            output.Append("<p>Preset: ").Append(E(preset.ToString())).Append(".</p>\n");
        output.Append("<p>").Append(E(report.Totals())).Append(".</p>\n");

        output.Append("<h2>Rules</h2>\n<table>\n<tr><th>Rule</th><th>Count</th><th>Severity</th><th>Title</th><th>Example</th></tr>\n");
        foreach (var row in report.RuleRows.Where(r => r.Count > 0))
        {
            var severity = row.SeverityText;
            output.Append("<tr><td><a href=\"").Append(E(row.Rule.HelpUri)).Append("\">").Append(E(row.Rule.Id)).Append("</a></td>")
                .Append("<td class=\"n\">").Append(row.Count.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"").Append(ScanReport.SeverityName(row.Severities[0])).Append("\">").Append(severity).Append("</td>")
                .Append("<td>").Append(E(row.Rule.Title)).Append("</td>")
                .Append("<td><code>").Append(E(report.Location(row.Example!))).Append("</code></td></tr>\n");
        }

        output.Append("</table>\n<h2>Projects</h2>\n<table>\n<tr><th>Project</th><th>Findings</th><th>Errors</th><th>Warnings</th><th>Info</th><th>Path</th></tr>\n");
        foreach (var project in report.ProjectRows)
        {
            output.Append("<tr><td>").Append(E(project.Name)).Append("</td>")
                .Append("<td class=\"n\">").Append(project.Findings.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"n\">").Append(project.Errors.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"n\">").Append(project.Warnings.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td class=\"n\">").Append(project.Infos.ToString(CultureInfo.InvariantCulture)).Append("</td>")
                .Append("<td><code>").Append(E(project.RelativePath)).Append("</code>");
            if (project.CompilerErrors > 0)
                output.Append(" (").Append(project.CompilerErrors.ToString(CultureInfo.InvariantCulture)).Append(" compiler errors: results may be incomplete)");
            output.Append("</td></tr>\n");
        }

        output.Append("</table>\n<h2>Findings</h2>\n<table>\n<tr><th>Location</th><th>Rule</th><th>Severity</th><th>Message</th></tr>\n");
        foreach (var finding in report.Findings)
        {
            var severity = ScanReport.SeverityName(finding.Severity);
            output.Append("<tr><td><code>").Append(E(report.Location(finding))).Append("</code></td>")
                .Append("<td>").Append(E(finding.RuleId)).Append("</td>")
                .Append("<td class=\"").Append(severity).Append("\">").Append(severity).Append("</td>")
                .Append("<td>").Append(E(finding.Message)).Append("</td></tr>\n");
        }

        output.Append("</table>\n</body>\n</html>\n");
        return output.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
