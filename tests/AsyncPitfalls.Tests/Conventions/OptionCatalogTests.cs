using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AsyncPitfalls.Internals;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Samples;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Conventions;

/// <summary>
/// Every option of <see cref="OptionCatalog"/> does what docs/configuration.md says: its shared key
/// (<c>dotnet_code_quality.&lt;key&gt;</c>) changes the diagnostics of every rule that claims it, and a
/// per-rule key overrides it.
/// </summary>
public sealed class OptionCatalogTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private const string Store = """
        public class Store
        {
            public Task SaveAsync() => Task.CompletedTask;
            public Task FlushAsync() => Task.CompletedTask;
        }

        """;

    private const string Operation = """
        namespace Legacy
        {
            public class Operation { }
            public class Client { public Operation Start() => new(); }
        }

        """;

    /// <summary>A type with a custom async lock: one on SemaphoreSlim (its Release is the release) and one handing out a disposable.</summary>
    private const string Gates = """
        sealed class Gate : SemaphoreSlim
        {
            public Gate() : base(1, 1) { }
            public Task AcquireGateAsync() => WaitAsync();
        }
        sealed class AsyncGate { public Task<IDisposable> AcquireGateAsync() => Task.FromResult<IDisposable>(null!); }

        """;

    /// <summary>
    /// One case per (option, rule that claims it): the option's value, and a source whose markup gives the
    /// diagnostics with the shared key set. Without the key, the rule must report something else.
    /// </summary>
    private static readonly Dictionary<string, OptionCase> Cases = new()
    {
        ["excluded_symbol_names/AP1003"] = OptionCase.For<AsyncCounterpartAnalyzer>("System.IO.File.ReadAllText", """
            class Service
            {
                public async Task RunAsync(Stream stream)
                {
                    File.ReadAllText("settings.json");
                    {|AP1003:stream.Flush()|};
                    await Task.Yield();
                }
            }
            """),
        ["excluded_symbol_names/AP1004"] = OptionCase.For<TransitiveBlockingAnalyzer>("System.IO.File.ReadAllText", """
            class Settings
            {
                public async Task StartAsync()
                {
                    await Task.Yield();
                    var text = Load("settings.json");
                    {|AP1004:Pause()|};
                }

                private static string Load(string path) => File.ReadAllText(path);
                private static void Pause() => Thread.Sleep(10);
            }
            """, buildOnly: true),
        ["use_default_exclusions/AP1003"] = OptionCase.For<AsyncCounterpartAnalyzer>("false", """
            class Service
            {
                public async Task RunAsync()
                {
                    using var memory = new MemoryStream();
                    {|AP1003:memory.Flush()|};
                    await Task.Yield();
                }
            }
            """),
        ["use_default_exclusions/AP1004"] = OptionCase.For<TransitiveBlockingAnalyzer>("false", """
            class Buffer
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    {|AP1004:Drain()|};
                }

                private static void Drain() { var memory = new MemoryStream(); memory.Flush(); }
            }
            """, buildOnly: true),
        ["fire_and_forget_safe_symbols/AP2001"] = OptionCase.For<DiscardedTaskAnalyzer>("Store.FlushAsync", Store + """
            class Service
            {
                public void Save(Store store)
                {
                    store.FlushAsync();
                    {|AP2001:store.SaveAsync()|};
                }
            }
            """),
        ["fire_and_forget_safe_symbols/AP2002"] = OptionCase.For<UnobservedTaskLocalAnalyzer>("Store.FlushAsync", Store + """
            class Service
            {
                public void Save(Store store)
                {
                    var flushing = store.FlushAsync();
                    var {|AP2002:saving = store.SaveAsync()|};
                }
            }
            """),
        ["forget_method_names/AP2001"] = OptionCase.For<DiscardedTaskAnalyzer>("Detach", Store + """
            static class Extensions { public static Task Detach(this Task pending) => pending; }
            class Service
            {
                public void Save(Store store)
                {
                    store.SaveAsync().Detach();
                    {|AP2001:store.FlushAsync()|};
                }
            }
            """),
        ["forget_method_names/AP2004"] = OptionCase.For<AsyncVoidAnalyzer>("Detach", """
            static class Extensions { public static async void Detach(this Task pending) { await Task.Delay(1); } }
            class Worker { public async void {|AP2004:Start|}() { await Task.Yield(); } }
            """),
        ["additional_awaitable_types/AP2001"] = OptionCase.For<DiscardedTaskAnalyzer>("Legacy.Operation", Operation + """
            class Service { public void Run(Legacy.Client client) { {|AP2001:client.Start()|}; } }
            """),
        ["additional_awaitable_types/AP2002"] = OptionCase.For<UnobservedTaskLocalAnalyzer>("Legacy.Operation", Operation + """
            class Service { public void Run(Legacy.Client client) { var {|AP2002:pending = client.Start()|}; } }
            """),
        ["additional_awaitable_types/AP2003"] = OptionCase.For<UnobservedTaskCollectionAnalyzer>("Legacy.Operation", Operation + """
            class Service
            {
                public void Run(Legacy.Client client)
                {
                    var pending = new List<Legacy.Operation>();
                    for (var i = 0; i < 3; i++)
                        {|AP2003:pending.Add(client.Start())|};
                }
            }
            """),
        ["additional_awaitable_types/AP2004"] = OptionCase.For<AsyncVoidAnalyzer>("Legacy.Operation", Operation + """
            static class Extensions { public static async void Forget(this Legacy.Operation operation) { await Task.Yield(); } }
            """),
        ["report_where_cs4014_reports/AP2001"] = OptionCase.For<DiscardedTaskAnalyzer>("true", Store + """
            class Service
            {
                public async Task RunAsync(Store store)
                {
                    #pragma warning disable CS4014
                    {|AP2001:store.SaveAsync()|};
                    #pragma warning restore CS4014
                    await Task.Yield();
                }
            }
            """),
        ["lock_hierarchy/AP3001"] = OptionCase.For<LockOrderInversionAnalyzer>("Bank._accounts > Bank._audit", """
            class Bank
            {
                private readonly object _accounts = new();
                private readonly object _audit = new();

                public void Fine() { lock (_accounts) { Console.WriteLine(); } }
                public void Wrong() { lock (_audit) { lock ({|AP3001:_accounts|}) { } } }
            }
            """, buildOnly: true),
        ["async_lock_methods/AP3001"] = OptionCase.For<LockOrderInversionAnalyzer>("AcquireGateAsync", Gates + """
            class Sync
            {
                private readonly AsyncGate _gate = new();
                private readonly object _state = new();

                public async Task OneAsync()
                {
                    using (await _gate.AcquireGateAsync())
                    {
                        lock ({|AP3001:_state|}) { }
                    }
                }

                public async Task TwoAsync()
                {
                    Monitor.Enter(_state);
                    using var held = await {|AP3001:_gate.AcquireGateAsync()|};
                    Monitor.Exit(_state);
                }
            }
            """),
        ["async_lock_methods/AP3002"] = OptionCase.For<ReleaseNotInFinallyAnalyzer>("AcquireGateAsync", Gates + """
            class Counter
            {
                private readonly Gate _gate = new();
                private int _count;

                public async Task AddAsync()
                {
                    await {|AP3002:_gate.AcquireGateAsync()|};
                    _count++;
                    _gate.Release();
                }
            }
            """),
        ["async_lock_methods/AP3003"] = OptionCase.For<ReadModifyWriteAcrossAwaitAnalyzer>("AcquireGateAsync", Gates + """
            class Counter
            {
                private readonly AsyncGate _gate = new();
                private int _count;

                public async Task AddAsync()
                {
                    using (await _gate.AcquireGateAsync())
                    {
                        var value = _count;
                        await Task.Delay(1);
                        _count = value + 1;
                    }
                }
            }
            """),
        ["async_lock_methods/AP3004"] = OptionCase.For<BlockingWhileHoldingLockAnalyzer>("AcquireGateAsync", Gates + """
            class Counter
            {
                private readonly AsyncGate _gate = new();

                public async Task AddAsync()
                {
                    using (await _gate.AcquireGateAsync())
                    {
                        {|AP3004:Thread.Sleep(100)|};
                    }
                }
            }
            """),
        ["async_lock_methods/AP3006"] = OptionCase.For<AcquireInsideTryAnalyzer>("AcquireGateAsync", Gates + """
            class Counter
            {
                private readonly Gate _gate = new();
                private int _count;

                public async Task AddAsync()
                {
                    try
                    {
                        await {|AP3006:_gate.AcquireGateAsync()|};
                        _count++;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """),
        ["allowed_factory_methods/AP4002"] = OptionCase.For<HttpClientPerOperationAnalyzer>("ClientPool.Rent", """
            class ClientPool
            {
                public object Rent() { var client = new HttpClient(); return client; }
            }
            """),
        ["cheap_dispose_types/AP4005"] = OptionCase.For<SyncDisposeOfAsyncDisposableAnalyzer>("System.IO.FileStream", """
            class Writer
            {
                public async Task WriteAsync(string path)
                {
                    using var stream = new FileStream(path, FileMode.Create);
                    await stream.WriteAsync(new byte[1]);
                }
            }
            """),
    };

    public static TheoryData<string> ClaimedOptions()
    {
        var data = new TheoryData<string>();
        foreach (var name in CatalogPairs())
            data.Add(name);
        return data;
    }

    private static IEnumerable<string> CatalogPairs()
        => OptionCatalog.All.SelectMany(option => option.Scope.Select(rule => $"{option.Key}/{rule}")).OrderBy(name => name, StringComparer.Ordinal);

    [Fact]
    public void EveryRuleInAnOptionsScope_HasACase()
        => Assert.Equal(CatalogPairs(), Cases.Keys.OrderBy(name => name, StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ClaimedOptions))]
    public async Task SharedKey_ChangesTheDiagnosticsOfEveryRuleThatClaimsIt(string name)
    {
        var key = name.Substring(0, name.IndexOf('/'));
        var @case = Cases[name];
        // With the shared key the rule reports exactly what the markup marks; without it, something else
        // (the diagnostics of the test state differ: the source itself compiles, as the first run proves).
        await @case.RunAsync($"dotnet_code_quality.{key} = {@case.Value}\n");
        var without = await Assert.ThrowsAnyAsync<Exception>(() => @case.RunAsync(editorConfig: null));
        Assert.Contains("Diagnostics of test state", without.Message, StringComparison.Ordinal);
    }

    [Fact]
    public Task PerRuleKey_OverridesTheSharedKey()
        => new CSharpAnalyzerVerifier<BlockingWhileHoldingLockAnalyzer>.Test
        {
            // The shared key names the gate; AP3004's own key names other methods only, so for AP3004 the gate is no lock.
            TestState =
            {
                AnalyzerConfigFiles =
                {
                    CSharpAnalyzerVerifier<BlockingWhileHoldingLockAnalyzer>.EditorConfig(
                        "dotnet_code_quality.async_lock_methods = AcquireGateAsync\n" + "dotnet_code_quality.AP3004.async_lock_methods = LockAsync\n"),
                },
                Sources =
                {
                    Usings + Gates + """
                    class Counter
                    {
                        private readonly AsyncGate _gate = new();
                        private readonly object _sync = new();

                        public async Task AddAsync()
                        {
                            using (await _gate.AcquireGateAsync())
                            {
                                Thread.Sleep(100);
                            }
                            lock (_sync) { [|Thread.Sleep(100)|]; }
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task AP1004_StillReadsAP1003sPerRuleKey()
        => new CSharpAnalyzerVerifier<TransitiveBlockingAnalyzer>.Test
        {
            BuildOnly = true,
            TestState =
            {
                AnalyzerConfigFiles = { CSharpAnalyzerVerifier<TransitiveBlockingAnalyzer>.EditorConfig("dotnet_code_quality.AP1003.excluded_symbol_names = System.IO.File.ReadAllText\n") },
                Sources =
                {
                    Usings + """
                    class Settings
                    {
                        public async Task StartAsync()
                        {
                            await Task.Yield();
                            var text = Load("settings.json");
                        }

                        private static string Load(string path) => File.ReadAllText(path);
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public void EveryOption_IsDocumentedWithItsSharedKey_OnTheConfigurationPage_AndOnEachClaimingRulesPage()
    {
        var configuration = File.ReadAllText(RepositoryPaths.Combine("docs", "configuration.md"));
        foreach (var option in OptionCatalog.All)
        {
            Assert.True(configuration.Contains(option.SharedKey, StringComparison.Ordinal), $"docs/configuration.md does not document {option.SharedKey}");
            foreach (var rule in option.Scope)
            {
                var page = File.ReadAllText(RepositoryPaths.Combine("docs", "rules", rule + ".md"));
                Assert.True(page.Contains(option.SharedKey, StringComparison.Ordinal), $"docs/rules/{rule}.md does not document {option.SharedKey}");
            }
        }
    }

    [Fact]
    public void PerRuleKeys_ComeBeforeTheSharedKey()
    {
        Assert.Equal(
            new[] { "dotnet_code_quality.AP3002.async_lock_methods", "dotnet_code_quality.async_lock_methods" },
            OptionCatalog.AsyncLockMethods.KeysFor(DiagnosticIds.ReleaseNotInFinally));
        Assert.Equal(
            new[] { "dotnet_code_quality.AP1004.excluded_symbol_names", "dotnet_code_quality.AP1003.excluded_symbol_names", "dotnet_code_quality.excluded_symbol_names" },
            OptionCatalog.ExcludedSymbolNames.KeysFor(DiagnosticIds.TransitiveBlocking));
        Assert.Empty(OptionCatalog.AsyncLockMethods.KeysFor(DiagnosticIds.ThreadSleepInAsyncCode));
    }

    /// <summary>A rule's analyzer and a source, run with or without an option.</summary>
    private sealed class OptionCase
    {
        private readonly Func<string?, Task> _run;

        private OptionCase(string value, Func<string?, Task> run)
        {
            Value = value;
            _run = run;
        }

        public string Value { get; }

        public static OptionCase For<TAnalyzer>(string value, string source, bool buildOnly = false)
            where TAnalyzer : DiagnosticAnalyzer, new()
            => new(value, editorConfig =>
            {
                var test = new CSharpAnalyzerVerifier<TAnalyzer>.Test { TestCode = Usings + source, BuildOnly = buildOnly };
                if (editorConfig is not null)
                    test.TestState.AnalyzerConfigFiles.Add(CSharpAnalyzerVerifier<TAnalyzer>.EditorConfig(editorConfig));
                return test.RunAsync();
            });

        /// <summary>Verifies the rule's diagnostics against the markup.</summary>
        public Task RunAsync(string? editorConfig) => _run(editorConfig);
    }
}
