using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Rules;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Every rule option, declared once: key, the rules that claim it, default and parser. Rules read
/// options only through these fields, so a key documented in docs/configuration.md reaches every
/// rule in its scope (tests/…/Conventions/OptionCatalogTests.cs checks each pair).
/// </summary>
internal static class OptionCatalog
{
    /// <summary>More methods or types whose synchronous form is fine (added to the shipped list).</summary>
    public static readonly RuleOption<SymbolNameList> ExcludedSymbolNames = new(
        "excluded_symbol_names",
        Scope(DiagnosticIds.AsyncCounterpartInAsyncCode, DiagnosticIds.TransitiveBlocking),
        SymbolNameList.Empty,
        SymbolNameList.Parse,
        // AP1004 asks whether a helper blocks with AP1003's list, and its page has always said that AP1003's key sets it.
        (DiagnosticIds.TransitiveBlocking, DiagnosticIds.AsyncCounterpartInAsyncCode));

    /// <summary><c>false</c> replaces the shipped exclusion list by <see cref="ExcludedSymbolNames"/>.</summary>
    public static readonly RuleOption<bool> UseDefaultExclusions = new(
        "use_default_exclusions",
        Scope(DiagnosticIds.AsyncCounterpartInAsyncCode, DiagnosticIds.TransitiveBlocking),
        true,
        text => ParseFlag(text, defaultValue: true),
        (DiagnosticIds.TransitiveBlocking, DiagnosticIds.AsyncCounterpartInAsyncCode));

    /// <summary>Methods or types whose tasks may be dropped (a logger's async flush).</summary>
    public static readonly RuleOption<SymbolNameList> FireAndForgetSafeSymbols = new(
        "fire_and_forget_safe_symbols",
        Scope(DiagnosticIds.DiscardedTask, DiagnosticIds.UnobservedTaskLocal),
        SymbolNameList.Empty,
        SymbolNameList.Parse);

    /// <summary>
    /// More observe-and-forget helper names (added to <see cref="TaskObservationOptions.DefaultForgetMethods"/>):
    /// AP2001 accepts a task passed to one, AP2004 accepts an async void helper of that name.
    /// </summary>
    public static readonly RuleOption<SymbolNameList> ForgetMethodNames = new(
        "forget_method_names",
        Scope(DiagnosticIds.DiscardedTask, DiagnosticIds.AsyncVoid),
        SymbolNameList.Empty,
        SymbolNameList.Parse);

    /// <summary>
    /// Types to treat as awaitable although they have no GetAwaiter (a custom job handle). AP2004 uses them
    /// to tell a forget helper's parameter.
    /// </summary>
    public static readonly RuleOption<SymbolNameList> AdditionalAwaitableTypes = new(
        "additional_awaitable_types",
        Scope(DiagnosticIds.DiscardedTask, DiagnosticIds.UnobservedTaskLocal, DiagnosticIds.UnobservedTaskCollection, DiagnosticIds.AsyncVoid),
        SymbolNameList.Empty,
        SymbolNameList.Parse);

    /// <summary>Also report discarded calls inside async functions, where CS4014 reports them.</summary>
    public static readonly RuleOption<bool> ReportWhereCs4014Reports = new(
        "report_where_cs4014_reports",
        Scope(DiagnosticIds.DiscardedTask),
        false,
        text => ParseFlag(text, defaultValue: false));

    /// <summary>The declared lock order (<c>Type.member &gt; Type.member</c>), project-wide.</summary>
    public static readonly RuleOption<IReadOnlyDictionary<string, int>> LockHierarchy = new(
        "lock_hierarchy",
        Scope(DiagnosticIds.LockOrderInversion),
        ImmutableDictionary<string, int>.Empty,
        LockOrderInversionAnalyzer.ParseHierarchy);

    /// <summary>
    /// Methods whose awaited, disposable result is a held async lock, in place of
    /// <see cref="LockPrimitives.DefaultAsyncLockMethods"/>; project-wide. Every rule whose reports depend
    /// on which async locks are held or taken claims it, so one key changes all of them alike. AP2007 and
    /// AP3005 also build <see cref="LockPrimitives"/>, but they ask only about thread-affine locks, which an
    /// async lock never is: no value of this option could change what they report.
    /// </summary>
    public static readonly RuleOption<ImmutableArray<string>> AsyncLockMethods = new(
        "async_lock_methods",
        Scope(DiagnosticIds.LockOrderInversion, DiagnosticIds.ReleaseNotInFinally, DiagnosticIds.ReadModifyWriteAcrossAwait,
            DiagnosticIds.BlockingWhileHoldingLock, DiagnosticIds.AcquireInsideTry),
        LockPrimitives.DefaultAsyncLockMethods,
        text => text.Split(',').Select(n => n.Trim()).Where(n => n.Length > 0).ToImmutableArray());

    /// <summary>Methods whose HttpClients are owned elsewhere (a pool, a cache).</summary>
    public static readonly RuleOption<SymbolNameList> AllowedFactoryMethods = new(
        "allowed_factory_methods",
        Scope(DiagnosticIds.HttpClientPerOperation),
        SymbolNameList.Empty,
        SymbolNameList.Parse);

    /// <summary>More types whose synchronous Dispose is cheap (added to the shipped list).</summary>
    public static readonly RuleOption<SymbolNameList> CheapDisposeTypes = new(
        "cheap_dispose_types",
        Scope(DiagnosticIds.SyncDisposeOfAsyncDisposable),
        SymbolNameList.Empty,
        SymbolNameList.Parse);

    /// <summary>All of the above, for the tests that hold the docs and the rules to this catalog.</summary>
    public static ImmutableArray<IRuleOption> All { get; } = ImmutableArray.Create<IRuleOption>(
        ExcludedSymbolNames, UseDefaultExclusions, FireAndForgetSafeSymbols, ForgetMethodNames, AdditionalAwaitableTypes,
        ReportWhereCs4014Reports, LockHierarchy, AsyncLockMethods, AllowedFactoryMethods, CheapDisposeTypes);

    private static ImmutableArray<string> Scope(params string[] ruleIds) => ImmutableArray.Create(ruleIds);

    /// <summary>A boolean option; <paramref name="defaultValue"/> when the text is not a boolean.</summary>
    private static bool ParseFlag(string text, bool defaultValue)
        => bool.TryParse(text.Trim(), out var flag) ? flag : defaultValue;
}
