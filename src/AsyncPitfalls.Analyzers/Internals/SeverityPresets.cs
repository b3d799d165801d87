using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The <c>AsyncPitfallsMode</c> presets that lower severities (Suggestions, Tests, None), applied to each diagnostic as it
/// is reported rather than written as configuration. The compiler applies every configuration line after the analyzer
/// reports (a rule's own line, then its category's, then the all-analyzers line), so a preset applied here is the
/// "default" that each of those lines overrides. A preset written as a global config would instead outrank the
/// category and all-analyzers lines of the user's own .editorconfig.
/// Strict raises severities, so it stays a global config (nuget/config): the compiler skips, in a build, analyzers
/// whose rules are all at Info unless configuration raises them, and only configuration can make them run.
/// </summary>
internal static class SeverityPresets
{
    /// <summary>The MSBuild property, passed to the analyzers by the package's build files (CompilerVisibleProperty).</summary>
    public const string ModeKey = "build_property.AsyncPitfallsMode";

    /// <summary>The rules the Tests preset turns off: what test code does on purpose, at no cost to anyone.</summary>
    public static readonly ImmutableHashSet<string> OffInTests = ImmutableHashSet.Create(
        DiagnosticIds.SyncWaitInAsyncCode,         // tests wait on tasks synchronously; test runners have no UI thread to deadlock
        DiagnosticIds.AsyncCounterpartInAsyncCode, // synchronous file and stream calls in test setup block nothing that matters
        DiagnosticIds.TransitiveBlocking,
        DiagnosticIds.HttpClientPerOperation,      // a client per test keeps tests independent
        DiagnosticIds.TokenNotForwarded);          // tests pass no tokens on purpose

    private static readonly PresetMode[] Modes = (PresetMode[])Enum.GetValues(typeof(PresetMode));

    /// <summary>The severities a configuration line may set (what the compiler accepts; "default" sets none).</summary>
    private static readonly ImmutableHashSet<string> Severities = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase, "error", "warning", "suggestion", "silent", "refactoring", "none");

    public static PresetMode ReadMode(AnalyzerOptions options)
    {
        if (options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(ModeKey, out var value))
        {
            value = value.Trim();
            foreach (var mode in Modes)
            {
                if (string.Equals(value, mode.ToString(), StringComparison.OrdinalIgnoreCase))
                    return mode;
            }
        }

        // Unset, or not a preset: the build files warn about the latter (AP0001).
        return PresetMode.Recommended;
    }

    /// <summary>
    /// Whether the preset turns the rule off in the whole compilation, no line of the user's turning it on for any file:
    /// then its analyzer registers nothing, and the preset costs no analysis.
    /// </summary>
    public static bool TurnsOff(DiagnosticDescriptor rule, Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        if (!TurnsOff(ReadMode(options), rule.Id))
            return false;
        if (IsConfiguredByUser(rule, tree: null, options, compilation, cancellationToken))
            return false;
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (IsConfiguredByUser(rule, tree, options, compilation, cancellationToken))
                return false;
        }

        return true;
    }

    /// <summary>The diagnostic as the preset reports it, or null when the preset turns its rule off and nothing the user wrote turns it on.</summary>
    public static Diagnostic? Apply(Diagnostic diagnostic, AnalyzerOptions options, Compilation compilation, CancellationToken cancellationToken)
    {
        var mode = ReadMode(options);
        if (mode == PresetMode.Suggestions)
            return diagnostic.Severity > DiagnosticSeverity.Info ? WithSeverity(diagnostic, DiagnosticSeverity.Info) : diagnostic;
        if (TurnsOff(mode, diagnostic.Id))
            return IsConfiguredByUser(diagnostic.Descriptor, diagnostic.Location.SourceTree, options, compilation, cancellationToken) ? diagnostic : null;
        return diagnostic;
    }

    private static bool TurnsOff(PresetMode mode, string id)
        => mode == PresetMode.None || (mode == PresetMode.Tests && OffInTests.Contains(id));

    /// <summary>
    /// Whether a line of the user's sets the rule's severity, for one file or (without a tree) for every file: the rule's
    /// own line (an .editorconfig section, a global config, or the compiler's options: WarningsAsErrors, NoWarn, a
    /// ruleset), its category's line, or the all-analyzers line. The compiler then applies that line.
    /// </summary>
    private static bool IsConfiguredByUser(DiagnosticDescriptor rule, SyntaxTree? tree, AnalyzerOptions options, Compilation compilation, CancellationToken cancellationToken)
    {
        if (compilation.Options.SpecificDiagnosticOptions.TryGetValue(rule.Id, out var fromCompilerOptions) && fromCompilerOptions != ReportDiagnostic.Default)
            return true;
        var ruleLines = compilation.Options.SyntaxTreeOptionsProvider;
        if (ruleLines is not null && ruleLines.TryGetGlobalDiagnosticValue(rule.Id, cancellationToken, out var global) && global != ReportDiagnostic.Default)
            return true;
        if (tree is null)
            return false;
        if (ruleLines is not null && ruleLines.TryGetDiagnosticValue(tree, rule.Id, cancellationToken, out var inFile) && inFile != ReportDiagnostic.Default)
            return true;

        var lines = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        return SetsSeverity(lines, "dotnet_analyzer_diagnostic.category-" + rule.Category + ".severity")
            || SetsSeverity(lines, "dotnet_analyzer_diagnostic.severity");
    }

    private static bool SetsSeverity(AnalyzerConfigOptions lines, string key)
        => lines.TryGetValue(key, out var value) && Severities.Contains(value.Trim());

    /// <summary>The same diagnostic (message, locations, properties for the code fix) at another severity.</summary>
    private static Diagnostic WithSeverity(Diagnostic diagnostic, DiagnosticSeverity severity)
    {
        var descriptor = diagnostic.Descriptor;
        return Diagnostic.Create(
            descriptor.Id, descriptor.Category, diagnostic.GetMessage(CultureInfo.InvariantCulture), severity, descriptor.DefaultSeverity, descriptor.IsEnabledByDefault,
            warningLevel: severity == DiagnosticSeverity.Error ? 0 : 1,
            descriptor.Title, descriptor.Description, descriptor.HelpLinkUri, diagnostic.Location, diagnostic.AdditionalLocations,
            descriptor.CustomTags, diagnostic.Properties);
    }
}

/// <summary>The values of <c>AsyncPitfallsMode</c>, matched without regard to case.</summary>
internal enum PresetMode
{
    Recommended,
    Strict,
    Suggestions,
    Tests,
    None,
}
