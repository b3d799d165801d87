using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Tool.Analysis;
using AsyncPitfalls.Tool.Loading;
using AsyncPitfalls.Tool.Reports;

namespace AsyncPitfalls.Tool;

/// <summary>
/// The command line: scan, and baseline write|check|prune. Reports go to <c>output</c> (or --output), progress and
/// problems to <c>errors</c>, so a report piped to a file stays clean.
/// </summary>
internal static class ToolCommands
{
    private static readonly string[] Formats = ["table", "markdown", "sarif", "html"];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken = default)
    {
        var root = Build(output, errors);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                errors.WriteLine($"error: {error.Message}");
            errors.WriteLine("Run 'asyncpitfalls --help' for the commands and their options.");
            return ExitCodes.UsageError;
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            // A solution MSBuild cannot open, an SDK that cannot be found: one line, not a stack trace.
            errors.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.UsageError;
        }
    }

    private static RootCommand Build(TextWriter output, TextWriter errors)
    {
        var root = new RootCommand(
            "Runs the AsyncPitfalls analyzers over a solution, project or folder, whether or not it references the package, "
            + "and keeps a baseline of today's findings so CI fails only on new ones.");
        root.Subcommands.Add(Scan(output, errors));
        root.Subcommands.Add(Baseline(output, errors));
        return root;
    }

    private static Argument<string> PathArgument() => new("path")
    {
        Description = "A .sln or .slnx, a project file, or a folder (its solution, else every C# project under it). Default: the current folder.",
        DefaultValueFactory = _ => ".",
    };

    private static Option<int> ParallelismOption() => new("--max-parallelism")
    {
        Description = "How many projects are analyzed at once (default: the number of processors).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    private static Option<int?> MemoryLimitOption() => new("--memory-limit")
    {
        Description = "Megabytes of managed heap above which compiled projects are dropped from memory, to be compiled again "
            + "if a later project references them (default: a third of the memory available).",
    };

    private static RunLimits Limits(ParseResult parsed, Option<int> parallelism, Option<int?> memoryLimit)
        => new(
            Math.Max(1, parsed.GetValue(parallelism)),
            parsed.GetValue(memoryLimit) is { } megabytes ? Math.Max(0, megabytes) * 1024L * 1024L : RunLimits.DefaultMemoryLimitBytes);

    private static Command Scan(TextWriter output, TextWriter errors)
    {
        var path = PathArgument();
        var format = new Option<string>("--format", "-f") { Description = "table (default), markdown, sarif or html.", DefaultValueFactory = _ => "table" };
        var file = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of standard output." };
        var preset = new Option<string?>("--preset")
        {
            Description = $"Run as AsyncPitfallsMode={ToolPresets.Names} would (docs/configuration.md). Default: each project's own setting.",
        };
        var rules = new Option<string?>("--rules") { Description = "Only these rules, comma-separated (AP1001,AP1002)." };
        var failOnFindings = new Option<bool>("--fail-on-findings") { Description = "Exit with 1 when anything is found." };
        var parallelism = ParallelismOption();
        var memoryLimit = MemoryLimitOption();
        var command = new Command("scan", "Report what the rules find: a summary per rule (count, severity, an example) and per project.")
        {
            path, format, file, preset, rules, failOnFindings, parallelism, memoryLimit,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var formatName = parsed.GetValue(format)!.Trim().ToLowerInvariant();
            if (!Formats.Contains(formatName))
                return Fail(errors, $"--format must be one of {string.Join(", ", Formats)}.");
            if (!ToolPresets.TryParse(parsed.GetValue(preset), out var chosenPreset))
                return Fail(errors, $"--preset must be one of {ToolPresets.Names.Replace("|", ", ", StringComparison.Ordinal)}.");
            var catalog = RuleCatalog.All;
            if (parsed.GetValue(rules) is { } ruleList && !catalog.TrySelect(ruleList.Split(',', ';', ' '), out catalog, out var ruleError))
                return Fail(errors, ruleError);
            if (!CodeTarget.TryResolve(parsed.GetValue(path)!, out var target, out var pathError))
                return Fail(errors, pathError);

            var settings = new AnalysisSettings(catalog, chosenPreset, FingerprintDirectory: null, Limits(parsed, parallelism, memoryLimit));
            var result = await Scanner.RunAsync(target, settings, errors, cancellationToken);
            var report = new ScanReport(target.SolutionPath ?? (target.ProjectPaths.Length == 1 ? target.ProjectPaths[0] : target.RepositoryRoot), target.RepositoryRoot, chosenPreset, catalog, result);
            var text = formatName switch
            {
                "markdown" => MarkdownReport.Render(report),
                "sarif" => SarifReport.Render(report),
                "html" => HtmlReport.Render(report),
                _ => TableReport.Render(report),
            };
            if (parsed.GetValue(file) is { } outputFile)
            {
                await File.WriteAllTextAsync(outputFile, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
                errors.WriteLine($"Wrote the {formatName} report to {Path.GetFullPath(outputFile)}");
            }
            else
            {
                await output.WriteAsync(text);
            }

            return parsed.GetValue(failOnFindings) && !report.Findings.IsEmpty ? ExitCodes.Findings : ExitCodes.Success;
        });
        return command;
    }

    private static Command Baseline(TextWriter output, TextWriter errors)
    {
        var command = new Command("baseline", "Record today's findings, then fail only on new ones (docs/adoption.md).");
        command.Subcommands.Add(BaselineVerb(
            "write", "Write asyncpitfalls.baseline.json at the repository root: one line per current finding.", output, errors, BaselineCommands.WriteAsync));
        command.Subcommands.Add(BaselineVerb(
            "check", "List new findings (exit 1 when there are any), fixed ones and the unchanged count.", output, errors, BaselineCommands.CheckAsync));
        command.Subcommands.Add(BaselineVerb(
            "prune", "Remove the fixed findings from the baseline; new ones are not added.", output, errors, BaselineCommands.PruneAsync));
        return command;
    }

    private delegate Task<int> BaselineAction(CodeTarget target, string baselinePath, RunLimits limits, TextWriter output, TextWriter progress, CancellationToken cancellationToken);

    private static Command BaselineVerb(string name, string description, TextWriter output, TextWriter errors, BaselineAction action)
    {
        var path = PathArgument();
        var file = new Option<string?>("--baseline") { Description = $"The baseline file. Default: {BaselineCommands.FileName} in the folder holding .git above the path, else the path's folder." };
        var parallelism = ParallelismOption();
        var memoryLimit = MemoryLimitOption();
        var command = new Command(name, description) { path, file, parallelism, memoryLimit };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!CodeTarget.TryResolve(parsed.GetValue(path)!, out var target, out var pathError))
                return Fail(errors, pathError);
            var baselinePath = BaselineCommands.Locate(target, parsed.GetValue(file));
            return await action(target, baselinePath, Limits(parsed, parallelism, memoryLimit), output, errors, cancellationToken);
        });
        return command;
    }

    private static int Fail(TextWriter errors, string message)
    {
        errors.WriteLine($"error: {message}");
        return ExitCodes.UsageError;
    }
}
