using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.LockOrderInversionAnalyzer, AsyncPitfalls.Rules.LockOrderInversionCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP3001LockOrderInversionTests
{
    internal const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private static Task VerifyBuildAsync(string[] sources, params DiagnosticResult[] expected)
    {
        var test = new Verify.Test { BuildOnly = true };
        foreach (var source in sources)
            test.TestState.Sources.Add(Usings + source);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static Task VerifyBuildWithHierarchyAsync(string hierarchy, string source, DiagnosticResult expected)
    {
        var test = new Verify.Test
        {
            BuildOnly = true,
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.AP3001.lock_hierarchy = " + hierarchy) },
                Sources = { Usings + source },
            },
        };
        test.ExpectedDiagnostics.Add(expected);
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_TheGuidesTwoTasks_AtBothNestings_LiveAndInBuilds()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Bank
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Forward()
                {
                    lock (_a)
                    {
                        Console.WriteLine("a");
                        lock ({|#0:_b|}) { }
                    }
                }

                public void Reverse()
                {
                    lock (_b)
                    {
                        Console.WriteLine("b");
                        lock ({|#1:_a|}) { }
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: '_b' is taken while holding '_a' here, but '_a' is taken while holding '_b' in 'Bank.Reverse' (Test0.cs line 24)"),
            Verify.Diagnostic().WithLocation(1).WithMessage("Lock order inversion: '_a' is taken while holding '_b' here, but '_b' is taken while holding '_a' in 'Bank.Forward' (Test0.cs line 15)"));

    [Fact]
    public Task Reports_ThreeLockCycle_WithTheWholeChain()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Pipeline
            {
                private static readonly object s_read = new();
                private static readonly object s_parse = new();
                private static readonly object s_write = new();

                public void One() { lock (s_read) { lock ({|#0:s_parse|}) { } } }
                public void Two() { lock (s_parse) { lock ({|#1:s_write|}) { } } }
                public void Three() { lock (s_write) { lock ({|#2:s_read|}) { } } }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: 's_parse' is taken while holding 's_read' here, but 's_write' is taken while holding 's_parse' in 'Pipeline.Two' (Test0.cs line 12), and 's_read' is taken while holding 's_write' in 'Pipeline.Three' (Test0.cs line 13)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'s_write'", "", "'s_parse'", "'s_read' is taken while holding 's_write' in 'Pipeline.Three' (Test0.cs line 13), and 's_parse' is taken while holding 's_read' in 'Pipeline.One' (Test0.cs line 11)"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'s_read'", "", "'s_write'", "'s_parse' is taken while holding 's_read' in 'Pipeline.One' (Test0.cs line 11), and 's_write' is taken while holding 's_parse' in 'Pipeline.Two' (Test0.cs line 12)"));

    [Fact]
    public Task Reports_ThroughCalls_AndEveryPrimitive()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Cache
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly ReaderWriterLockSlim _index = new();
                private readonly Mutex _file = new();

                public async Task RefreshAsync()
                {
                    await _gate.WaitAsync();
                    try
                    {
                        {|#0:Reindex()|};
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                private void Reindex()
                {
                    _index.EnterWriteLock();
                    try { {|#2:Save()|}; }
                    finally { _index.ExitWriteLock(); }
                }

                private void Save()
                {
                    _file.WaitOne();
                    try { } finally { _file.ReleaseMutex(); }
                }

                public void Flush()
                {
                    _file.WaitOne();
                    {|#1:_gate.Wait()|};
                    _gate.Release();
                    _file.ReleaseMutex();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: '_index' is taken (through 'Cache.Reindex') while holding '_gate' here, but '_file' is taken (through 'Cache.Save') while holding '_index' in 'Cache.Reindex' (Test0.cs line 27), and '_gate' is taken while holding '_file' in 'Cache.Flush' (Test0.cs line 40)"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'_file'", " (through 'Cache.Save')", "'_index'", "'_gate' is taken while holding '_file' in 'Cache.Flush' (Test0.cs line 40), and '_index' is taken (through 'Cache.Reindex') while holding '_gate' in 'Cache.RefreshAsync' (Test0.cs line 16)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_gate'", "", "'_file'", "'_file' is taken (through 'Cache.Reindex' -> 'Cache.Save') while holding '_gate' in 'Cache.RefreshAsync' (Test0.cs line 16)"));

#if !ROSLYN_FLOOR // System.Threading.Lock is .NET 9; the floor's tests compile against .NET 8.
    [Fact]
    public Task Reports_MonitorEnterWithFlag_ThreadingLock_AndThisIdentity()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Registry
            {
                private readonly Lock _entries = new();

                public void Add()
                {
                    var taken = false;
                    try
                    {
                        Monitor.Enter(this, ref taken);
                        using ({|#0:_entries.EnterScope()|}) { }
                    }
                    finally
                    {
                        if (taken) Monitor.Exit(this);
                    }
                }

                public void Clear()
                {
                    _entries.Enter();
                    try { lock ({|#1:this|}) { } }
                    finally { _entries.Exit(); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: '_entries' is taken while holding 'this' (Registry) here, but 'this' (Registry) is taken while holding '_entries' in 'Registry.Clear' (Test0.cs line 26)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'this' (Registry)", "", "'_entries'", "'_entries' is taken while holding 'this' (Registry) in 'Registry.Add' (Test0.cs line 15)"));
#endif

    [Fact]
    public Task Reports_TypeOfAndStaticFieldIdentity()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class Config
            {
                private static readonly object s_sync = new();
                public static void Load() { lock (typeof(Config)) { lock ({|#0:s_sync|}) { } } }
                public static void Save() { lock (Config.s_sync) { lock ({|#1:typeof(Config)|}) { } } }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'s_sync'", "", "'typeof(Config)'", "'typeof(Config)' is taken while holding 's_sync' in 'Config.Save' (Test0.cs line 9)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'typeof(Config)'", "", "'s_sync'", "'s_sync' is taken while holding 'typeof(Config)' in 'Config.Load' (Test0.cs line 8)"));

    [Fact]
    public Task NoDiagnostic_ConsistentOrder_ReentryLocalsTimedTriesAndDeferredLambdas()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Ledger
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void One() { lock (_a) { lock (_b) { } } }
                public void Two() { lock (_a) { Helper(); } }
                private void Helper() { lock (_b) { Console.WriteLine(); } }

                public void Reentrant() { lock (_b) { lock (_b) { } } }

                public void Locals()
                {
                    var first = new object();
                    var second = new object();
                    lock (second) { lock (first) { } }
                    lock (first) { lock (second) { } }
                }

                public void Timed()
                {
                    lock (_b)
                    {
                        if (Monitor.TryEnter(_a, 100))
                        {
                            Monitor.Exit(_a);
                        }
                    }
                }

                public void Deferred()
                {
                    lock (_b)
                    {
                        Task.Run(() => { lock (_a) { } });
                        ThreadPool.QueueUserWorkItem(_ => One());
                    }
                }

                public void Transfer(Ledger from, Ledger to)
                {
                    lock (from._a) { lock (to._a) { } }
                }
            }
            """);

    [Fact]
    public Task Reports_InlineLambda_AndLocalFunction_AndRecursion()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Forward(List<int> items)
                {
                    lock (_a)
                    {
                        items.ForEach(i => { lock ({|#0:_b|}) { } });
                    }
                }

                public void Reverse(int depth)
                {
                    if (depth > 0) Reverse(depth - 1);
                    lock (_b)
                    {
                        {|#1:Inner()|};
                    }

                    void Inner() { lock (_a) { } }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_b'", "", "'_a'", "'_a' is taken (through 'Worker.Inner') while holding '_b' in 'Worker.Reverse' (Test0.cs line 23)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_a'", " (through 'Worker.Inner')", "'_b'", "'_b' is taken while holding '_a' in 'Worker.Forward' (Test0.cs line 14)"));

    [Fact]
    public Task Reports_AcrossTypesAndFiles_OnlyInBuilds()
        => VerifyBuildAsync(new[]
            {
                """
                class Accounts
                {
                    internal static readonly object Sync = new();

                    public static void Post()
                    {
                        lock (Sync)
                        {
                            {|#0:Audit.Write()|};
                        }
                    }
                }
                """,
                """
                static class Audit
                {
                    private static readonly object s_log = new();

                    public static void Write() { lock (s_log) { } }

                    public static void Replay()
                    {
                        lock (s_log)
                        {
                            lock ({|#1:Accounts.Sync|}) { }
                        }
                    }
                }
                """,
            },
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: 'Audit.s_log' is taken (through 'Audit.Write') while holding 'Sync' here, but 'Sync' is taken while holding 'Audit.s_log' in 'Audit.Replay' (Test1.cs line 15)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Accounts.Sync'", "", "'s_log'", "'s_log' is taken (through 'Audit.Write') while holding 'Accounts.Sync' in 'Accounts.Post' (Test0.cs line 13)"));

    [Fact]
    public Task LockFreeHelpers_FollowInlineLambdas_NotDeferredOnes()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Journal
            {
                private readonly object _a = new();
                private readonly object _b = new();
                private readonly List<int> _items = new();

                public void Forward() { lock (_a) { {|#0:EachItem()|}; } }
                public void Backward() { lock (_b) { lock ({|#1:_a|}) { } } }
                public void Quiet() { lock (_a) { Later(); } }

                private void EachItem() => _items.ForEach(_ => TakeB());
                private void Later() => Task.Run(() => TakeB());
                private void TakeB() { lock (_b) { } }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: '_b' is taken (through 'Journal.EachItem' -> 'Journal.TakeB') while holding '_a' here, but '_a' is taken while holding '_b' in 'Journal.Backward' (Test0.cs line 12)"),
            Verify.Diagnostic().WithLocation(1).WithMessage("Lock order inversion: '_a' is taken while holding '_b' here, but '_b' is taken (through 'Journal.EachItem' -> 'Journal.TakeB') while holding '_a' in 'Journal.Forward' (Test0.cs line 11)"));

    [Fact]
    public Task Reports_AcrossTypes_ThroughLockFreeMethodsConstructorsAndLocalFunctions()
        => VerifyBuildAsync(new[]
            {
                """
                class Orders
                {
                    internal static readonly object Sync = new();
                    public static void Place()
                    {
                        lock (Sync)
                        {
                            {|#0:Pipeline.Run()|};
                        }
                    }
                    public static void Browse() { Pipeline.Describe(); new Step().Describe(); }
                }
                """,
                """
                static class Pipeline
                {
                    public static void Run() { var step = new Step(); step.Go(); }
                    public static void Describe() => Console.WriteLine(nameof(Pipeline));
                }

                class Step
                {
                    public Step() { Describe(); }
                    public void Describe() => Console.WriteLine(nameof(Step));
                    public void Go()
                    {
                        Describe();
                        Write();
                        void Write() => Ledger.Record();
                    }
                }
                """,
                """
                static class Ledger
                {
                    private static readonly object s_book = new();
                    public static void Record() { lock (s_book) { } }
                    public static void Reconcile() { lock (s_book) { lock ({|#1:Orders.Sync|}) { } } }
                }
                """,
            },
            Verify.Diagnostic().WithLocation(0).WithMessage("Lock order inversion: 'Ledger.s_book' is taken (through 'Pipeline.Run' -> 'Step.Go' -> 'Step.Write' -> 'Ledger.Record') while holding 'Sync' here, but 'Sync' is taken while holding 'Ledger.s_book' in 'Ledger.Reconcile' (Test2.cs line 9)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Orders.Sync'", "", "'s_book'", "'s_book' is taken (through 'Pipeline.Run' -> 'Step.Go' -> 'Step.Write' -> 'Ledger.Record') while holding 'Orders.Sync' in 'Orders.Place' (Test0.cs line 12)"));

    [Fact]
    public Task Reports_DeclaredHierarchy_ThroughACallChain()
        => VerifyBuildWithHierarchyAsync("Bank._accounts > Journal._audit", """
            class Bank
            {
                private readonly object _accounts = new();
                public void Settle(Journal journal) { Console.WriteLine(); journal.Append(this); }
                public void Touch() { lock (_accounts) { } }
            }

            class Journal
            {
                private readonly object _audit = new();
                public void Append(Bank bank) { lock (_audit) { {|#0:Forward(bank)|}; } }
                private static void Forward(Bank bank) => bank.Touch();
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Bank._accounts'", " (through 'Journal.Forward' -> 'Bank.Touch')", "'_audit'", "the declared lock hierarchy takes 'Bank._accounts' first"));

    [Fact]
    public Task Reports_PartialAndGenericTypes_AsOneLockPerField()
        => VerifyBuildAsync(new[]
            {
                """
                partial class Store<T>
                {
                    private static readonly object s_items = new();
                    private readonly object _index = new();

                    public void Add() { lock (s_items) { lock ({|#0:_index|}) { } } }
                }
                """,
                """
                partial class Store<T>
                {
                    public void Rebuild() { lock (_index) { lock ({|#1:s_items|}) { } } }
                }

                class User
                {
                    public void Use(Store<int> a, Store<string> b) { a.Add(); b.Rebuild(); }
                }
                """,
            },
            Verify.Diagnostic().WithLocation(0).WithArguments("'_index'", "", "'s_items'", "'s_items' is taken while holding '_index' in 'Store.Rebuild' (Test1.cs line 7)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'s_items'", "", "'_index'", "'_index' is taken while holding 's_items' in 'Store.Add' (Test0.cs line 10)"));

    [Fact]
    public Task NoDiagnostic_InterfaceAndAbstractCalls_AreNotFollowed()
        => Verify.VerifyAnalyzerAsync(Usings + """
            interface ISink { void Write(); }
            abstract class Sink { public abstract void Flush(); }

            class Service
            {
                private readonly object _a = new();
                private readonly object _b = new();
                private readonly ISink _sink;
                private readonly Sink _other;

                public Service(ISink sink, Sink other) { _sink = sink; _other = other; }

                public void One() { lock (_a) { lock (_b) { } } }
                public void Two() { lock (_b) { _sink.Write(); _other.Flush(); } }
            }

            class Writer : ISink
            {
                private readonly Service _service = new(null!, null!);
                public void Write() => _service.One();
            }
            """);

    [Fact]
    public Task NoDiagnostic_CallsOnAnObjectCreatedThere_ReportsTheSameCallOnThis()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connector
            {
                private readonly object _sync = new();
                private readonly object _cancel = new();

                public void UserCancel() { lock (_sync) { lock ({|#0:_cancel|}) { } } }

                // The cancel request goes over a new connection: its _sync is not this one's, and no other thread has it.
                public void ServerCancel() { lock (_cancel) { new Connector().SendCancel(); } }

                public void Retry() { lock (_cancel) { {|#1:SendCancel()|}; } }

                private void SendCancel() { lock (_sync) { } }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_cancel'", "", "'_sync'", "'_sync' is taken (through 'Connector.SendCancel') while holding '_cancel' in 'Connector.Retry' (Test0.cs line 15)"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_sync'", " (through 'Connector.SendCancel')", "'_cancel'", "'_cancel' is taken while holding '_sync' in 'Connector.UserCancel' (Test0.cs line 10)"));

    [Fact]
    public Task Reports_DeclaredHierarchy_WithoutACycle()
        => VerifyBuildWithHierarchyAsync("Bank._accounts > Bank._audit", """
            class Bank
            {
                private readonly object _accounts = new();
                private readonly object _audit = new();

                public void Fine() { lock (_accounts) { Console.WriteLine(); } }
                public void Wrong() { lock (_audit) { lock ({|#0:_accounts|}) { } } }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_accounts'", "", "'_audit'", "the declared lock hierarchy takes '_accounts' first"));

    [Fact]
    public Task Reports_ConfiguredAsyncLock()
    {
        var test = new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.async_lock_methods = AcquireGateAsync") },
                Sources =
                {
                    Usings + """
                    sealed class Gate { public Task<IDisposable> AcquireGateAsync() => Task.FromResult<IDisposable>(null!); }

                    class Sync
                    {
                        private readonly Gate _gate = new();
                        private readonly object _state = new();

                        public async Task OneAsync()
                        {
                            using (await _gate.AcquireGateAsync())
                            {
                                lock ({|#0:_state|}) { }
                            }
                        }

                        public async Task TwoAsync()
                        {
                            Monitor.Enter(_state);
                            using var held = await {|#1:_gate.AcquireGateAsync()|};
                            Monitor.Exit(_state);
                        }
                    }
                    """,
                },
            },
        };
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(0).WithArguments("'_state'", "", "'_gate'", "'_gate' is taken while holding '_state' in 'Sync.TwoAsync' (Test0.cs line 23)"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(1).WithArguments("'_gate'", "", "'_state'", "'_state' is taken while holding '_gate' in 'Sync.OneAsync' (Test0.cs line 16)"));
        return test.RunAsync();
    }

    [Fact]
    public async Task AdditionalLocations_NameTheOtherAcquisitions()
    {
        var source = Usings + """
            class Bank
            {
                private readonly object _a = new();
                private readonly object _b = new();
                public void One() { lock (_a) { lock (_b) { } } }
                public void Two() { lock (_b) { lock (_a) { } } }
            }
            """;
        var diagnostics = await RunAsBuildAsync(source);
        Assert.Equal(2, diagnostics.Length);
        var first = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).First();
        var other = Assert.Single(first.AdditionalLocations);
        Assert.Equal("_a", other.SourceTree!.GetText().ToString(other.SourceSpan));
        Assert.Equal(9, other.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public async Task Scales_ToThousandsOfLocksAndMethods_AndStaysDeterministic()
    {
        // A chain of 3000 methods, each taking its own lock and calling the next while holding it,
        // plus one call from the last back to the first: one cycle of 3000 locks, found once per site.
        const int count = 3000;
        var source = new StringBuilder("using System;\nclass Chain\n{\n");
        for (var i = 0; i < count; i++)
        {
            source.Append($"    private static readonly object s_{i} = new();\n");
            var next = i + 1 < count ? $"M{i + 1}()" : "Console.WriteLine()";
            source.Append($"    public static void M{i}() {{ lock (s_{i}) {{ {next}; }} }}\n");
        }
        source.Append("    public static void Close() { lock (s_" + (count - 1) + ") { M0(); } }\n}\n");

        var first = await RunAsBuildAsync(source.ToString());
        Assert.Equal(count, first.Length);
        Assert.All(first, d => Assert.Equal(DiagnosticIds.LockOrderInversion, d.Id));
        var second = await RunAsBuildAsync(source.ToString());
        Assert.Equal(first.Select(d => d.GetMessage()), second.Select(d => d.GetMessage()));
    }

    [Fact]
    public async Task OneOpenDocument_ShowsTheIntraTypeCycle_ButNotTheCrossTypeOne()
    {
        // The IDE's per-document request: GetAnalyzerSemanticDiagnosticsAsync(semanticModel, span).
        var intraType = "class Bank { object _a = new(), _b = new(); void One() { lock (_a) { lock (_b) { } } } void Two() { lock (_b) { lock (_a) { } } } }";
        var crossType = "class A { internal static object S = new(); static void One() { lock (S) { lock (B.S) { } } } } "
            + "class B { internal static object S = new(); static void Two() { lock (S) { lock (A.S) { } } } }";
        var intra = await AnalyzerRunner.RunAsIdeAsync(Compile(intraType), ImmutableArray.Create<DiagnosticAnalyzer>(new LockOrderInversionAnalyzer()), EmptyOptions);
        var cross = await AnalyzerRunner.RunAsIdeAsync(Compile(crossType), ImmutableArray.Create<DiagnosticAnalyzer>(new LockOrderInversionAnalyzer()), EmptyOptions);
        Assert.Equal(2, intra.Count(d => d.Id == DiagnosticIds.LockOrderInversion));
        Assert.Empty(cross);
        Assert.Equal(2, (await RunAsBuildAsync(crossType)).Length);
    }

    [Fact]
    public async Task ATypeWhoseTextNamesNoAcquisition_IsLeftToTheBuild()
    {
        // The live check skips types whose text has no lock, Enter, Wait or async lock name. Only a unicode
        // escape hides an acquisition from it; the build's whole-program pass still reports the cycle.
        var hidden = "using System.Threading; class Hidden { object _a = new(), _b = new(); "
            + @"void One() { Monitor.\u0045nter(_a); try { Monitor.\u0045nter(_b); try { } finally { Monitor.Exit(_b); } } finally { Monitor.Exit(_a); } } "
            + @"void Two() { Monitor.\u0045nter(_b); try { Monitor.\u0045nter(_a); try { } finally { Monitor.Exit(_a); } } finally { Monitor.Exit(_b); } } }";
        var ide = await AnalyzerRunner.RunAsIdeAsync(Compile(hidden), ImmutableArray.Create<DiagnosticAnalyzer>(new LockOrderInversionAnalyzer()), EmptyOptions);
        Assert.Empty(ide);
        var build = await RunAsBuildAsync(hidden);
        Assert.Equal(2, build.Length);
        Assert.All(build, d => Assert.Contains("is taken while holding", d.GetMessage()));

        // Spelled out, the same type is checked live.
        var plain = hidden.Replace(@"\u0045nter", "Enter");
        Assert.Equal(2, (await AnalyzerRunner.RunAsIdeAsync(Compile(plain), ImmutableArray.Create<DiagnosticAnalyzer>(new LockOrderInversionAnalyzer()), EmptyOptions)).Length);
    }

    [Fact]
    public async Task NoCrash_OnAPathologicallyDeepExpressionUnderALock()
    {
        // 20,000 nested additions under a lock: the held-lock walk must give up on the body, not overflow the stack.
        var terms = string.Join(" + ", Enumerable.Repeat("x", 20000));
        var source = "class Deep { private readonly object _a = new(); public int M(int x) { lock (_a) { return " + terms + "; } } }";
        var diagnostics = await RunAsBuildAsync(source);
        Assert.Empty(diagnostics);
    }

    private static readonly AnalyzerOptions EmptyOptions = new(ImmutableArray<AdditionalText>.Empty);

    private static Compilation Compile(string source)
        => CSharpCompilation.Create("Locks", new[] { CSharpSyntaxTree.ParseText(source, path: "Test0.cs") },
            RuntimeReferences.NetCore, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static async Task<ImmutableArray<Diagnostic>> RunAsBuildAsync(string source)
    {
        var diagnostics = await AnalyzerRunner.RunAsBuildAsync(Compile(source), ImmutableArray.Create<DiagnosticAnalyzer>(new LockOrderInversionAnalyzer()), EmptyOptions);
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    [Fact]
    public Task Fix_SwapsTheAdjacentNestingThatDisagreesWithTheRest()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Bank
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void One() { lock (_a) { lock ({|#1:_b|}) { Console.WriteLine(1); } } }
                public void Two() { lock (_a) { lock ({|#2:_b|}) { Console.WriteLine(2); } } }
                public void Three()
                {
                    lock (_b)
                    {
                        lock ({|#0:_a|})
                        {
                            Console.WriteLine(3);
                        }
                    }
                }
            }
            """,
            new[]
            {
                Verify.Diagnostic().WithLocation(0).WithArguments("'_a'", "", "'_b'", "'_b' is taken while holding '_a' in 'Bank.One' (Test0.cs line 10)"),
                Verify.Diagnostic().WithLocation(1).WithArguments("'_b'", "", "'_a'", "'_a' is taken while holding '_b' in 'Bank.Three' (Test0.cs line 16)"),
                Verify.Diagnostic().WithLocation(2).WithArguments("'_b'", "", "'_a'", "'_a' is taken while holding '_b' in 'Bank.Three' (Test0.cs line 16)"),
            },
            Usings + """
            class Bank
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void One() { lock (_a) { lock (_b) { Console.WriteLine(1); } } }
                public void Two() { lock (_a) { lock (_b) { Console.WriteLine(2); } } }
                public void Three()
                {
                    lock (_a)
                    {
                        lock (_b)
                        {
                            Console.WriteLine(3);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_All_SwapsOnlyTheMinorityOrder()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Bank
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void One() { lock (_a) { lock ({|#0:_b|}) { } } }
                public void Two() { lock (_b) { lock ({|#1:_a|}) { } } }
                public void Three() { lock (_b) { lock ({|#2:_a|}) { } } }
            }
            """,
            new[]
            {
                Verify.Diagnostic().WithLocation(0).WithArguments("'_b'", "", "'_a'", "'_a' is taken while holding '_b' in 'Bank.Two' (Test0.cs line 11)"),
                Verify.Diagnostic().WithLocation(1).WithArguments("'_a'", "", "'_b'", "'_b' is taken while holding '_a' in 'Bank.One' (Test0.cs line 10)"),
                Verify.Diagnostic().WithLocation(2).WithArguments("'_a'", "", "'_b'", "'_b' is taken while holding '_a' in 'Bank.One' (Test0.cs line 10)"),
            },
            Usings + """
            class Bank
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void One() { lock (_b) { lock (_a) { } } }
                public void Two() { lock (_b) { lock (_a) { } } }
                public void Three() { lock (_b) { lock (_a) { } } }
            }
            """);

    [Fact]
    public Task NoFix_WhenTheOuterBodyDoesMore()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Bank
                    {
                        private readonly object _a = new();
                        private readonly object _b = new();

                        public void One() { lock (_a) { Console.WriteLine(); lock ([|_b|]) { } } }
                        public void Two() { lock (_b) { Console.WriteLine(); lock ([|_a|]) { } } }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoCrash_OnHalfTypedLocks()
        => new Verify.Test
        {
            CheckOnlyForCrashes = true,
            CompilerDiagnostics = CompilerDiagnostics.None,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Broken
                    {
                        private readonly object _a = new();
                        public void One() { lock (_a) { lock ( } }
                        public void Two() { lock () { Monitor.Enter(; _missing.Wait(); lock (_a) { Undefined(); } }
                        public void Three() { using (_a.EnterScope( { } }
                    }
                    """,
                },
            },
        }.RunAsync();
}
