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
        DiagnosticIds.SyncWaitInAsyncCode,        // tests wait on tasks synchronously; test runners have no UI thread to deadlock
        DiagnosticIds.AsyncCounterpartInAsyncCode, // synchronous file and stream calls in test setup block nothing that matters
        DiagnosticIds.TransitiveBlocking,
        DiagnosticIds.HttpClientPerOperation,     // a client per test keeps tests independent
        DiagnosticIds.TokenNotForwarded);         // tests pass no tokens on purpose

    public static PresetMode ReadMode(AnalyzerOptions options)
    {
        if (options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(ModeKey, out var value))
        {
            foreach (PresetMode mode in Enum.GetValues(typeof(PresetMode)))
            {
                if (string.Equals(value.Trim(), mode.ToString(), StringComparison.OrdinalIgnoreCase))
                    return mode;
            }
        }

        // Unset, or not a preset: the build files warn about the latter (AP0001).
        return PresetMode.Recommended;
    }

    /// <summary>The diagnostic as the preset reports it, or null when the preset turns its rule off and nothing the user wrote turns it on.</summary>
    public static Diagnostic? Apply(Diagnostic diagnostic, AnalyzerOptions options, Compilation compilation, CancellationToken cancellationToken)
    {
        switch (ReadMode(options))
        {
            case PresetMode.Suggestions:
                return diagnostic.Severity > DiagnosticSeverity.Info ? WithSeverity(diagnostic, DiagnosticSeverity.Info) : diagnostic;
            case PresetMode.None:
                return IsConfiguredByUser(diagnostic, options, compilation, cancellationToken) ? diagnostic : null;
            case PresetMode.Tests:
                return OffInTests.Contains(diagnostic.Id) && !IsConfiguredByUser(diagnostic, options, compilation, cancellationToken) ? null : diagnostic;
            default:
                return diagnostic;
        }
    }

    /// <summary>
    /// Whether a configuration line sets the rule's severity for the diagnostic's file: its own line (.editorconfig or a
    /// global config), its category's line, or the all-analyzers line. The compiler then applies that line.
    /// </summary>
    private static bool IsConfiguredByUser(Diagnostic diagnostic, AnalyzerOptions options, Compilation compilation, CancellationToken cancellationToken)
    {
        var tree = diagnostic.Location.SourceTree;
        if (tree is null)
            return false;
        // A rule's own line: from the file's .editorconfig sections, or from a global config (asked apart).
        var ruleLines = compilation.Options.SyntaxTreeOptionsProvider;
        if (ruleLines is not null
            && (ruleLines.TryGetDiagnosticValue(tree, diagnostic.Id, cancellationToken, out _) || ruleLines.TryGetGlobalDiagnosticValue(diagnostic.Id, cancellationToken, out _)))
            return true;
        var treeOptions = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        return treeOptions.TryGetValue("dotnet_analyzer_diagnostic.category-" + diagnostic.Descriptor.Category + ".severity", out _)
            || treeOptions.TryGetValue("dotnet_analyzer_diagnostic.severity", out _);
    }

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
