using System.Linq;
using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Rules;

/// <summary>
/// Issue 25, defect 9: a fix that makes a synchronous method async changes its signature (decimal becomes
/// Task&lt;decimal&gt;, void becomes Task). Where code the fix cannot see depends on that signature (callers
/// outside the assembly, derived types), the change is never the main fix nor part of Fix All: it is an action
/// of its own, whose title names the method. Private and internal methods still get the main fix.
/// </summary>
public sealed class SignatureChangingFixTests
{
    private const string Prelude = AP2001DiscardedTaskTests.Usings + AP2001DiscardedTaskTests.Awaitables;

    /// <summary>The first action offered for each diagnostic of the source, in source order.</summary>
    private static async Task AssertFirstActionsAsync<TAnalyzer, TCodeFix>(string source, params (string Title, string? Key)[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var actions = await FormatFixAll.ActionsAsync(new TAnalyzer(), new TCodeFix(), source);
        Assert.Equal(expected, actions.Select(a => a[0]).ToArray());
    }

    private static async Task AssertFixAllAsync<TAnalyzer, TCodeFix>(string source, string expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => Assert.Equal(expected.ReplaceLineEndings(), (await FormatFixAll.ApplyAsync(new TAnalyzer(), new TCodeFix(), source)).ReplaceLineEndings());

    /// <summary>
    /// The action of its own changes the method. Fix All with its key applies the main fixes, and leaves this method:
    /// the framework reads a Fix All that changes nothing as an unexpected fix, so the Fix All tests above check that.
    /// </summary>
    private static Task VerifySignatureChangeAsync<TAnalyzer, TCodeFix>(string source, string key, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => new CSharpCodeFixVerifier<TAnalyzer, TCodeFix>.Test
        {
            CodeActionEquivalenceKey = key,
            TestCode = source,
            FixedCode = fixedSource,
            CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllCheck,
        }.RunAsync();

    // ---- AP2001 ----

    private const string Ledger = Prelude + """
        public class Ledger
        {
            private readonly Store _store = new();

            public decimal Total()
            {
                _store.SaveAsync();
                return 1m;
            }

            internal decimal InternalTotal()
            {
                _store.SaveAsync();
                return 1m;
            }

            private void Flush()
            {
                _store.FlushAsync();
            }
        }
        """;

    [Fact]
    public Task AP2001_PublicMethod_GetsTheSignatureChangeAsAnActionOfItsOwn_InternalAndPrivateTheMainFix()
        => AssertFirstActionsAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Ledger,
            ("Add await (changes the signature of 'Total')", "AP2001.AddAwait.ChangesSignature"),
            ("Add await", "AP2001.AddAwait"),
            ("Add await", "AP2001.AddAwait"));

    [Fact]
    public async Task AP2001_PublicMethod_StillOffersTheDiscard()
    {
        var actions = await FormatFixAll.ActionsAsync(new DiscardedTaskAnalyzer(), new DiscardedTaskCodeFix(), Ledger);
        Assert.Equal(new[] { ("Add await (changes the signature of 'Total')", (string?)"AP2001.AddAwait.ChangesSignature"), ("Discard explicitly", "AP2001.Discard") }, actions[0]);
    }

    [Fact]
    public Task AP2001_FixAll_LeavesThePublicMethod_AndFixesTheOthers()
        => AssertFixAllAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Ledger, Prelude + """
            public class Ledger
            {
                private readonly Store _store = new();

                public decimal Total()
                {
                    _store.SaveAsync();
                    return 1m;
                }

                internal async Task<decimal> InternalTotal()
                {
                    await _store.SaveAsync();
                    return 1m;
                }

                private async Task Flush()
                {
                    await _store.FlushAsync();
                }
            }
            """);

    [Fact]
    public Task AP2001_TheActionOfItsOwn_ChangesThePublicSignature()
        => VerifySignatureChangeAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Prelude + """
            public class Ledger
            {
                public decimal Total(Store store)
                {
                    [|store.SaveAsync()|];
                    return 1m;
                }
            }
            """, "AP2001.AddAwait.ChangesSignature", Prelude + """
            public class Ledger
            {
                public async Task<decimal> Total(Store store)
                {
                    await store.SaveAsync();
                    return 1m;
                }
            }
            """);

    /// <summary>Which methods other code sees: callers outside the assembly, and derived types (protected, virtual).</summary>
    [Theory]
    [InlineData("public class C { public void M(Store s) { s.SaveAsync(); } }", true)]
    [InlineData("public class C { protected void M(Store s) { s.SaveAsync(); } }", true)]
    [InlineData("public class C { protected internal void M(Store s) { s.SaveAsync(); } }", true)]
    [InlineData("public static class C { public static void M(Store s) { s.SaveAsync(); } }", true)]
    [InlineData("public class Outer { public class C { public void M(Store s) { s.SaveAsync(); } } }", true)]
    [InlineData("class C { public virtual void M(Store s) { s.SaveAsync(); } }", true)]
    [InlineData("public class C { private protected void M(Store s) { s.SaveAsync(); } }", false)]
    [InlineData("public class C { internal void M(Store s) { s.SaveAsync(); } }", false)]
    [InlineData("class C { public void M(Store s) { s.SaveAsync(); } }", false)]
    [InlineData("public class Outer { internal class C { public void M(Store s) { s.SaveAsync(); } } }", false)]
    [InlineData("public class C { public Task M(Store s) { s.SaveAsync(); return Task.CompletedTask; } }", false)]
    public Task AP2001_SignatureChangeIsOnItsOwn_OnlyWhereOtherCodeSeesTheMethod(string declaration, bool onItsOwn)
        => AssertFirstActionsAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Prelude + declaration,
            onItsOwn ? ("Add await (changes the signature of 'M')", "AP2001.AddAwait.ChangesSignature") : ("Add await", "AP2001.AddAwait"));

    // The uses the fix can see: a method group or a call's value needs the old signature; a call statement does not.
    [Fact]
    public Task AP2001_MethodUsedAsADelegateOrForItsValue_OnlyTheDiscard()
        => new CSharpCodeFixVerifier<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>.Test
        {
            TestCode = Prelude + """
                class Ledger
                {
                    private int Count(Store store)
                    {
                        [|store.SaveAsync()|];
                        return 1;
                    }

                    private void Save(Store store)
                    {
                        [|store.FlushAsync()|];
                    }

                    public int Total(Store store) => Count(store) + 1;

                    public Action<Store> Saver => Save;
                }
                """,
            FixedCode = Prelude + """
                class Ledger
                {
                    private int Count(Store store)
                    {
                        _ = store.SaveAsync();
                        return 1;
                    }

                    private void Save(Store store)
                    {
                        _ = store.FlushAsync();
                    }

                    public int Total(Store store) => Count(store) + 1;

                    public Action<Store> Saver => Save;
                }
                """,
        }.RunAsync();

    // The forgotten await one call up: a synchronous caller's call statement would drop the task the method now
    // returns (no CS4014 in a synchronous caller), so the method keeps its signature and only the discard is offered.
    [Fact]
    public Task AP2001_MethodCalledAsAStatementOfASynchronousMethod_OnlyDiscards()
        => AssertFirstActionsAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Prelude + """
            class Ledger
            {
                private void Save(Store store)
                {
                    store.FlushAsync();
                }

                public string Name => nameof(Save);

                public void SaveTwice(Store store)
                {
                    Save(store);
                    this.Save(store);
                }
            }
            """, ("Discard explicitly", "AP2001.AddAwait"));

    // Its twin with async callers: the method becomes async and the fix awaits its calls, so the task is observed.
    [Fact]
    public Task AP2001_MethodCalledAsAStatementOfAsyncMethods_BecomesAsync_AndItsCallsAwaitIt()
        => AssertFixAllAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Prelude + """
            class Ledger
            {
                private void Save(Store store)
                {
                    store.FlushAsync();
                }

                public string Name => nameof(Save);

                public async Task SaveTwiceAsync(Store store)
                {
                    Save(store);
                    this.Save(store);
                    await Task.Yield();
                }
            }
            """, Prelude + """
            class Ledger
            {
                private async Task Save(Store store)
                {
                    await store.FlushAsync();
                }

                public string Name => nameof(Save);

                public async Task SaveTwiceAsync(Store store)
                {
                    await Save(store);
                    await this.Save(store);
                    await Task.Yield();
                }
            }
            """);

    // An internal method called from another document: the change is an action of its own, titled so, never in Fix
    // All; applied, it awaits the call statements of async callers in the other document as well.
    [Fact]
    public async Task AP2001_InternalMethodCalledFromAnotherDocument_ChangesItsSignatureOnlyOnItsOwn()
    {
        var test = new CSharpCodeFixVerifier<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>.Test
        {
            CodeActionEquivalenceKey = "AP2001.AddAwait.ChangesSignature",
            // The explicit action awaits the call in the other document too (an async caller), so the task is observed there.
            // Fix All never changes such a signature (AP2001_FixAll_LeavesThePublicMethod_AndFixesTheOthers): one action at a time.
            CodeFixTestBehaviors = Microsoft.CodeAnalysis.Testing.CodeFixTestBehaviors.SkipFixAllCheck,
            TestState =
            {
                Sources =
                {
                    Prelude + """
                    class Ledger
                    {
                        internal void Save(Store store)
                        {
                            [|store.FlushAsync()|];
                        }
                    }
                    """,
                    """
                    class Caller
                    {
                        public async System.Threading.Tasks.Task RunAsync(Ledger ledger, Store store) { ledger.Save(store); await System.Threading.Tasks.Task.Yield(); }
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Prelude + """
                    class Ledger
                    {
                        internal async Task Save(Store store)
                        {
                            await store.FlushAsync();
                        }
                    }
                    """,
                    """
                    class Caller
                    {
                        public async System.Threading.Tasks.Task RunAsync(Ledger ledger, Store store) { await ledger.Save(store); await System.Threading.Tasks.Task.Yield(); }
                    }
                    """,
                },
            },
        };
        await test.RunAsync();
    }

    // ---- AP2002, AP2003, AP2005: their fixes make a synchronous method async too ----

    [Fact]
    public Task AP2002_PublicMethod_LeftByFixAll_InternalTwinFixed()
        => AssertFixAllAsync<UnobservedTaskLocalAnalyzer, UnobservedTaskLocalCodeFix>(Prelude + """
            public class Counter
            {
                public int Count(Store store)
                {
                    var pending = store.CountAsync();
                    return 1;
                }

                internal int InternalCount(Store store)
                {
                    var pending = store.CountAsync();
                    return 1;
                }
            }
            """, Prelude + """
            public class Counter
            {
                public int Count(Store store)
                {
                    var pending = store.CountAsync();
                    return 1;
                }

                internal async Task<int> InternalCount(Store store)
                {
                    var pending = await store.CountAsync();
                    return 1;
                }
            }
            """);

    [Fact]
    public Task AP2002_TheActionOfItsOwn_ChangesThePublicSignature()
        => VerifySignatureChangeAsync<UnobservedTaskLocalAnalyzer, UnobservedTaskLocalCodeFix>(Prelude + """
            public class Counter
            {
                public int Count(Store store)
                {
                    var [|pending = store.CountAsync()|];
                    return 1;
                }
            }
            """, "AP2002.Await.ChangesSignature", Prelude + """
            public class Counter
            {
                public async Task<int> Count(Store store)
                {
                    var pending = await store.CountAsync();
                    return 1;
                }
            }
            """);

    [Fact]
    public Task AP2003_PublicMethod_LeftByFixAll_InternalTwinFixed()
        => AssertFixAllAsync<UnobservedTaskCollectionAnalyzer, UnobservedTaskCollectionCodeFix>(Prelude + """
            public class Saver
            {
                public void SaveAll(Store[] stores)
                {
                    var saves = new List<Task>();
                    foreach (var store in stores)
                        saves.Add(store.SaveAsync());
                }

                internal void InternalSaveAll(Store[] stores)
                {
                    var saves = new List<Task>();
                    foreach (var store in stores)
                        saves.Add(store.SaveAsync());
                }
            }
            """, Prelude + """
            public class Saver
            {
                public void SaveAll(Store[] stores)
                {
                    var saves = new List<Task>();
                    foreach (var store in stores)
                        saves.Add(store.SaveAsync());
                }

                internal async Task InternalSaveAll(Store[] stores)
                {
                    var saves = new List<Task>();
                    foreach (var store in stores)
                        saves.Add(store.SaveAsync());
                    await Task.WhenAll(saves);
                }
            }
            """);

    [Fact]
    public Task AP2003_PublicMethod_TitleNamesTheMethod()
        => AssertFirstActionsAsync<UnobservedTaskCollectionAnalyzer, UnobservedTaskCollectionCodeFix>(Prelude + """
            public class Saver
            {
                public void SaveAll(Store[] stores)
                {
                    var saves = new List<Task>();
                    foreach (var store in stores)
                        saves.Add(store.SaveAsync());
                }
            }
            """, ("Add 'await Task.WhenAll(saves)' (changes the signature of 'SaveAll')", "AP2003.AwaitWhenAll.ChangesSignature"));

    [Fact]
    public Task AP2005_PublicMethod_LeftByFixAll_PrivateTwinFixed()
        => AssertFixAllAsync<AsyncLambdaToVoidDelegateAnalyzer, AsyncLambdaToVoidDelegateCodeFix>(Prelude + """
            public class Sender
            {
                public void Run(List<string> urls)
                {
                    urls.ForEach(async url => await Task.Delay(url.Length));
                }

                private void RunPrivately(List<string> urls)
                {
                    urls.ForEach(async url => await Task.Delay(url.Length));
                }
            }
            """, Prelude + """
            public class Sender
            {
                public void Run(List<string> urls)
                {
                    urls.ForEach(async url => await Task.Delay(url.Length));
                }

                private async Task RunPrivately(List<string> urls)
                {
                    foreach (var url in urls)
                    {
                        await Task.Delay(url.Length);
                    }
                }
            }
            """);

    [Fact]
    public Task AP2005_PublicMethod_TitleNamesTheMethod()
        => AssertFirstActionsAsync<AsyncLambdaToVoidDelegateAnalyzer, AsyncLambdaToVoidDelegateCodeFix>(Prelude + """
            public class Sender
            {
                public void Run(List<string> urls)
                {
                    urls.ForEach(async url => await Task.Delay(url.Length));
                }
            }
            """, ("Use foreach with await (changes the signature of 'Run')", "AP2005.AwaitableLoop.ChangesSignature"));

    // ---- AP2004: async void becomes async Task ----

    [Fact]
    public Task AP2004_PublicMethod_LeftByFixAll_PrivateTwinFixed()
        => AssertFixAllAsync<AsyncVoidAnalyzer, AsyncVoidCodeFix>(Prelude + """
            public class Worker
            {
                public async void Start()
                {
                    await Task.Yield();
                }

                private async void Restart()
                {
                    await Task.Yield();
                }
            }
            """, Prelude + """
            public class Worker
            {
                public async void Start()
                {
                    await Task.Yield();
                }

                private async Task Restart()
                {
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task AP2004_TheActionOfItsOwn_ChangesThePublicSignature()
        => VerifySignatureChangeAsync<AsyncVoidAnalyzer, AsyncVoidCodeFix>(Prelude + """
            public class Worker
            {
                public async void [|Start|]()
                {
                    await Task.Yield();
                }
            }
            """, "AP2004.ReturnTask.ChangesSignature", Prelude + """
            public class Worker
            {
                public async Task Start()
                {
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task AP2004_PublicMethod_TitleNamesTheMethod()
        => AssertFirstActionsAsync<AsyncVoidAnalyzer, AsyncVoidCodeFix>(Prelude + """
            public class Worker
            {
                public async void Start()
                {
                    await Task.Yield();
                }
            }
            """, ("Return Task (changes the signature of 'Start')", "AP2004.ReturnTask.ChangesSignature"));
}
