using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.UnobservedTaskLocalAnalyzer, AsyncPitfalls.Rules.UnobservedTaskLocalCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2002UnobservedTaskLocalTests
{
    private const string Prelude = AP2001DiscardedTaskTests.Usings + AP2001DiscardedTaskTests.Awaitables;

    [Fact]
    public Task Reports_ATaskNeverRead_NamingItAndItsProducer()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                public async Task RunAsync(Store store)
                {
                    var {|#0:saving = store.SaveAsync()|};
                    ValueTask {|#1:flushing = store.FlushAsync()|};
                    await Task.Yield();
                }

                public void Sync(Store store)
                {
                    var {|#2:count = store.CountAsync()|};
                    count = store.CountAsync();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Task 'saving' from 'Store.SaveAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"),
            Verify.Diagnostic().WithLocation(1).WithMessage("Task 'flushing' from 'Store.FlushAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"),
            Verify.Diagnostic().WithLocation(2).WithMessage("Task 'count' from 'Store.CountAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"));

    [Fact]
    public Task Reports_TasksUsedAsValues_TheGuidesPrintedCoroutine()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                public async Task RunAsync(Store store, System.Text.StringBuilder log)
                {
                    var count = store.CountAsync();
                    Console.WriteLine({|#0:count|});
                    Console.WriteLine($"count: {{|#1:count|}}");
                    var text = {|#2:count|}.ToString() + {|#3:store.CountAsync()|};
                    log.Append({|#4:count|});
                    Console.WriteLine("{0} items", {|#5:count|});
                    Console.WriteLine(await count);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'count' is a task used as a value: it shows as its type name, not its result; did you mean to await it?"),
            Verify.Diagnostic().WithLocation(1).WithMessage("'count' is a task used as a value: it shows as its type name, not its result; did you mean to await it?"),
            Verify.Diagnostic().WithLocation(2).WithMessage("'count' is a task used as a value: it shows as its type name, not its result; did you mean to await it?"),
            Verify.Diagnostic().WithLocation(3).WithMessage("'CountAsync()' is a task used as a value: it shows as its type name, not its result; did you mean to await it?"),
            Verify.Diagnostic().WithLocation(4).WithMessage("'count' is a task used as a value: it shows as its type name, not its result; did you mean to await it?"),
            Verify.Diagnostic().WithLocation(5).WithMessage("'count' is a task used as a value: it shows as its type name, not its result; did you mean to await it?"));

    [Fact]
    public Task NoDiagnostic_AnyObservingUse()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                private Task? _pending;

                public async Task RunAsync(Store store, bool fast, List<Task> all)
                {
                    var a = store.SaveAsync();
                    if (fast)
                        await a;
                    var b = store.SaveAsync();
                    _pending = b;
                    var c = store.SaveAsync();
                    all.Add(c);
                    var d = store.CountAsync();
                    await Task.WhenAll(d, Task.Delay(1));
                    var e = store.SaveAsync();
                    _ = e.ContinueWith(t => t.Exception);
                    var f = store.SaveAsync();
                    _ = f;
                    var g = Task.CompletedTask;
                    var h = store.FlushAsync();
                    Func<Task> later = () => h.AsTask();
                }

                public Task<int> PassThrough(Store store)
                {
                    var count = store.CountAsync();
                    return count;
                }
            }
            """);

    [Fact]
    public Task Reports_InsideLambdasAndLocalFunctions_AndSeesReadsFromNestedOnes()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                private readonly Func<Store, Task> _handler = async store =>
                {
                    var {|#0:saving = store.SaveAsync()|};
                    await Task.Yield();
                };

                public void Run(Store store)
                {
                    async Task LocalAsync()
                    {
                        var {|#1:counting = store.CountAsync()|};
                        var flushing = store.FlushAsync();
                        Func<Task> later = async () => await flushing;
                        await later();
                    }
                    _ = LocalAsync();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Task 'saving' from 'Store.SaveAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"),
            Verify.Diagnostic().WithLocation(1).WithMessage("Task 'counting' from 'Store.CountAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"));

    [Fact]
    public Task NoDiagnostic_ObjectParametersThatAreNotFormatting()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                public async Task RunAsync(Store store, Dictionary<string, object> state)
                {
                    var saving = store.SaveAsync();
                    state["saving"] = saving;
                    var same = ReferenceEquals(saving, state["saving"]);
                    await saving;
                }
            }
            """);

    [Theory]
    [InlineData("void M() { var t = Missing(); }")]
    [InlineData("void M() { var t = new Store().SaveAsync(; }")]
    [InlineData("void M() { Task t = ; Console.WriteLine(t); }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Prelude + "class C { " + member + " }");

    // ---- Code fixes ----

    [Fact]
    public Task Fix_AwaitsAtTheInitializer()
        => Verify.VerifyCodeFixAsync(Prelude + """
            class Service
            {
                public async Task RunAsync(Store store)
                {
                    var {|#0:saving = store.SaveAsync()|};
                    Task<int> {|#1:count = store.CountAsync()|};
                    await Task.Yield();
                }

                public void Sync(Store store)
                {
                    var {|#2:count = store.CountAsync()|};
                }
            }
            """,
            new[]
            {
                Verify.Diagnostic().WithLocation(0).WithMessage("Task 'saving' from 'Store.SaveAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"),
                Verify.Diagnostic().WithLocation(1).WithMessage("Task 'count' from 'Store.CountAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"),
                Verify.Diagnostic().WithLocation(2).WithMessage("Task 'count' from 'Store.CountAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"),
            },
            Prelude + """
            class Service
            {
                public async Task RunAsync(Store store)
                {
                    await store.SaveAsync();
                    var count = await store.CountAsync();
                    await Task.Yield();
                }

                public async Task Sync(Store store)
                {
                    var count = await store.CountAsync();
                }
            }
            """);

    [Fact]
    public Task Fix_AwaitsTheTaskWhereItIsUsedAsAValue()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Prelude + """
                    class Service
                    {
                        public async Task RunAsync(Store store)
                        {
                            var count = store.CountAsync();
                            Console.WriteLine({|AP2002:count|});
                            Console.WriteLine($"count: {{|AP2002:count|}}");
                            var text = {|AP2002:count|}.ToString();
                        }
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Prelude + """
                    class Service
                    {
                        public async Task RunAsync(Store store)
                        {
                            var count = store.CountAsync();
                            Console.WriteLine(await count);
                            Console.WriteLine($"count: {await count}");
                            var text = (await count).ToString();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    private const string NullConditionalSource = Prelude + """
        class Service
        {
            public async Task RunAsync(Store? store)
            {
                var [|saving = store?.SaveAsync()|];
                await Task.Yield();
            }
        }
        """;

    [Fact]
    public Task NullConditionalInitializer_NamesTheCall()
        => Verify.VerifyAnalyzerAsync(NullConditionalSource.Replace("[|", "{|#0:").Replace("|]", "|}"),
            Verify.Diagnostic().WithLocation(0).WithMessage("Task 'saving' from 'Store.SaveAsync' is never awaited, returned or passed on; its work may not finish and its exceptions are lost"));

    [Fact]
    public Task NullConditionalInitializer_GetsNoAwait()
        => new Verify.Test
        {
            // Awaiting 'store?.SaveAsync()' would throw when store is null, where the code did nothing before.
            ExpectNoFix = true,
            TestState = { Sources = { NullConditionalSource } },
        }.RunAsync();
}
