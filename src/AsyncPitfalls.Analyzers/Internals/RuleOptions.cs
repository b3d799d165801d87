using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Reads rule options from .editorconfig / .globalconfig in the keys NetAnalyzers users know:
/// <c>dotnet_code_quality.AP1003.excluded_symbol_names = ...</c> for one rule, or
/// <c>dotnet_code_quality.excluded_symbol_names = ...</c> for every rule that has the option.
/// </summary>
internal static class RuleOptions
{
    /// <summary>The two keys of each (rule, option) pair, built once: options are read per operation.</summary>
    private static readonly ConcurrentDictionary<(string RuleId, string Key), (string ForRule, string ForAll)> s_keys = new();

    public static string? Get(AnalyzerOptions options, SyntaxTree tree, string ruleId, string key)
    {
        var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        var keys = s_keys.GetOrAdd((ruleId, key), k => ($"dotnet_code_quality.{k.RuleId}.{k.Key}", $"dotnet_code_quality.{k.Key}"));
        if (config.TryGetValue(keys.ForRule, out var value) || config.TryGetValue(keys.ForAll, out value))
            return value;
        return null;
    }

    /// <summary>A boolean option; <paramref name="defaultValue"/> when absent or not a boolean.</summary>
    public static bool GetFlag(AnalyzerOptions options, SyntaxTree tree, string ruleId, string key, bool defaultValue)
        => Get(options, tree, ruleId, key) is { } text && bool.TryParse(text.Trim(), out var flag) ? flag : defaultValue;
}

/// <summary>Parses each distinct option text once per compilation (options repeat across files).</summary>
internal sealed class ParsedOptionCache<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _parsed = new(System.StringComparer.Ordinal);
    private readonly System.Func<string, T> _parse;

    public ParsedOptionCache(System.Func<string, T> parse) => _parse = parse;

    public T Get(string? text) => _parsed.GetOrAdd(text ?? string.Empty, _parse);
}

/// <summary>
/// A rule's options as read for each file, once per compilation: rules ask for them per operation,
/// and reading the keys every time showed in the benchmark.
/// </summary>
internal sealed class PerFileOptions<T>
{
    private readonly ConcurrentDictionary<SyntaxTree, T> _byTree = new();
    private readonly System.Func<SyntaxTree, T> _read;

    public PerFileOptions(System.Func<SyntaxTree, T> read) => _read = read;

    public T For(SyntaxTree tree) => _byTree.GetOrAdd(tree, _read);
}
