using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AsyncPitfalls.Tool.Analysis;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Tool.Reports;

/// <summary>
/// A SARIF 2.1.0 log: one run, every rule that ran (id, title, description, help link, category, default level) and
/// every finding, its file relative to the repository root (uriBaseId SRCROOT), as code-scanning services read it.
/// </summary>
internal static class SarifReport
{
    public static string Render(ScanReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "AsyncPitfalls");
            json.WriteString("informationUri", "https://github.com/AsyncPitfalls/AsyncPitfalls");
            json.WriteString("semanticVersion", Version());
            json.WriteStartArray("rules");
            foreach (var rule in report.Catalog.Rules)
                WriteRule(json, rule);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("originalUriBaseIds");
            json.WriteStartObject("SRCROOT");
            json.WriteString("uri", new Uri(Path.EndsInDirectorySeparator(report.Root) ? report.Root : report.Root + Path.DirectorySeparatorChar).AbsoluteUri);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("results");
            var ruleIndex = report.Catalog.Rules.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
            foreach (var finding in report.Findings)
                WriteResult(json, report, finding, ruleIndex[finding.RuleId]);
            json.WriteEndArray();
            json.WriteString("columnKind", "utf16CodeUnits");

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteRule(Utf8JsonWriter json, RuleInfo rule)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteStartObject("shortDescription");
        json.WriteString("text", rule.Title);
        json.WriteEndObject();
        if (rule.Description.Length > 0)
        {
            json.WriteStartObject("fullDescription");
            json.WriteString("text", rule.Description);
            json.WriteEndObject();
        }

        json.WriteString("helpUri", rule.HelpUri);
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.DefaultSeverity));
        json.WriteBoolean("enabled", rule.EnabledByDefault);
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("category", rule.Category);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, ScanReport report, Finding finding, int ruleIndex)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.RuleId);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", Level(finding.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", finding.Message);
        json.WriteEndObject();
        if (finding.FilePath is not null)
        {
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            var relative = report.Relative(finding.FilePath);
            if (Path.IsPathRooted(relative))
            {
                json.WriteString("uri", new Uri(finding.FilePath).AbsoluteUri);
            }
            else
            {
                json.WriteString("uri", Uri.EscapeDataString(relative).Replace("%2F", "/", StringComparison.Ordinal));
                json.WriteString("uriBaseId", "SRCROOT");
            }

            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteNumber("startLine", finding.StartLine);
            json.WriteNumber("startColumn", finding.StartColumn);
            json.WriteNumber("endLine", finding.EndLine);
            json.WriteNumber("endColumn", finding.EndColumn);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static string Level(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "note",
        _ => "none",
    };

    private static string Version()
    {
        var version = typeof(SarifReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
