using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Internals;

/// <summary>What every option of <see cref="OptionCatalog"/> tells about itself, whatever its value type.</summary>
internal interface IRuleOption
{
    /// <summary>The option's name, as in <c>dotnet_code_quality.&lt;key&gt;</c>.</summary>
    string Key { get; }

    /// <summary><c>dotnet_code_quality.&lt;key&gt;</c>: the one documented key, read by every rule in <see cref="Scope"/>.</summary>
    string SharedKey { get; }

    /// <summary>The rules that claim the option: each reads it, and setting it changes what each reports.</summary>
    ImmutableArray<string> Scope { get; }

    /// <summary>The keys <paramref name="ruleId"/> reads, most specific first, the shared key last.</summary>
    ImmutableArray<string> KeysFor(string ruleId);
}

/// <summary>
/// One rule option, declared once in <see cref="OptionCatalog"/>: its key, the rules that claim it, its
/// value when unset, and how its text is parsed. A rule reads <c>dotnet_code_quality.&lt;rule&gt;.&lt;key&gt;</c>
/// if set (the per-rule override, as the .NET SDK's analyzers do), else the shared
/// <c>dotnet_code_quality.&lt;key&gt;</c>: one key then reaches every rule that claims the option.
/// </summary>
internal sealed class RuleOption<T> : IRuleOption
{
    private readonly Func<string, T> _parse;

    /// <summary>
    /// The keys of each rule in scope, built once: options are read per file, and building the key
    /// strings on every read showed in the benchmark.
    /// </summary>
    private readonly ImmutableDictionary<string, ImmutableArray<string>> _keysByRule;

    /// <param name="follows">
    /// Rules that also honour another rule's per-rule key, after their own (AP1004 takes AP1003's
    /// exclusions, as it always did): <c>(rule, ruleWhoseKeyItAlsoReads)</c>.
    /// </param>
    public RuleOption(string key, ImmutableArray<string> scope, T defaultValue, Func<string, T> parse, params (string Rule, string AlsoReadsKeyOf)[] follows)
    {
        Key = key;
        SharedKey = "dotnet_code_quality." + key;
        Scope = scope;
        Default = defaultValue;
        _parse = parse;
        _keysByRule = scope.ToImmutableDictionary(
            rule => rule,
            rule => ImmutableArray.CreateRange(
                new[] { rule }.Concat(follows.Where(f => f.Rule == rule).Select(f => f.AlsoReadsKeyOf))
                    .Select(id => $"dotnet_code_quality.{id}.{key}")
                    .Append(SharedKey)),
            StringComparer.Ordinal);
    }

    public string Key { get; }

    public string SharedKey { get; }

    public ImmutableArray<string> Scope { get; }

    /// <summary>The value when no key is set.</summary>
    public T Default { get; }

    /// <summary>Empty for a rule outside <see cref="Scope"/>: it does not claim the option, so no key reaches it.</summary>
    public ImmutableArray<string> KeysFor(string ruleId)
        => _keysByRule.TryGetValue(ruleId, out var keys) ? keys : ImmutableArray<string>.Empty;

    /// <summary>
    /// The option for <paramref name="ruleId"/> in the file of <paramref name="tree"/>, parsed on every call:
    /// for reads made once per compilation. Rules that read per operation use <see cref="PerFile"/>.
    /// </summary>
    public T Read(AnalyzerOptions options, SyntaxTree tree, string ruleId)
        => Text(options, tree, ruleId) is { } text ? _parse(text) : Default;

    /// <summary>
    /// The option for <paramref name="ruleId"/>, for each file, made once per compilation: read once per file,
    /// and each distinct text parsed once (a .globalconfig gives every file the same text).
    /// </summary>
    public PerFileOptions<T> PerFile(AnalyzerOptions options, string ruleId) => new(Reader(options, ruleId));

    /// <summary>
    /// Like <see cref="PerFile"/> without the per-file cache, for options read into a larger per-file object
    /// (<see cref="TaskObservationOptions"/>) that is itself cached per file.
    /// </summary>
    public Func<SyntaxTree, T> Reader(AnalyzerOptions options, string ruleId)
    {
        var parsed = new ConcurrentDictionary<string, T>(StringComparer.Ordinal);
        return tree => Text(options, tree, ruleId) is { } text ? parsed.GetOrAdd(text, _parse) : Default;
    }

    /// <summary>A project-wide option: read from the first source file's configuration (a .globalconfig applies to all).</summary>
    public T ReadForProject(AnalyzerOptions options, Compilation compilation, string ruleId)
        => compilation.SyntaxTrees.FirstOrDefault() is { } tree ? Read(options, tree, ruleId) : Default;

    private string? Text(AnalyzerOptions options, SyntaxTree tree, string ruleId)
    {
        var keys = KeysFor(ruleId);
        if (keys.IsEmpty)
            return null;
        var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        foreach (var key in keys)
        {
            if (config.TryGetValue(key, out var value))
                return value;
        }
        return null;
    }
}

/// <summary>
/// A rule's options as read for each file, once per compilation: rules ask for them per operation,
/// and reading the keys every time showed in the benchmark.
/// </summary>
internal sealed class PerFileOptions<T>
{
    private readonly ConcurrentDictionary<SyntaxTree, T> _byTree = new();
    private readonly Func<SyntaxTree, T> _read;

    public PerFileOptions(Func<SyntaxTree, T> read) => _read = read;

    public T For(SyntaxTree tree) => _byTree.GetOrAdd(tree, _read);
}
