using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.DiscardedTaskAnalyzer, AsyncPitfalls.Rules.DiscardedTaskCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2001DiscardedTaskTests
{
    internal const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    internal const string Awaitables = """
        public sealed class Job { public JobAwaiter GetAwaiter() => new(); }
        public sealed class JobAwaiter : INotifyCompletion
        {
            public bool IsCompleted => true;
            public void GetResult() { }
            public void OnCompleted(Action continuation) => continuation();
        }
        public class Store
        {
            public Task SaveAsync() => Task.CompletedTask;
            public Task<int> CountAsync() => Task.FromResult(1);
            public ValueTask FlushAsync() => default;
            public Job Schedule() => new();
        }

        """;

    [Fact]
    public Task Reports_InSynchronousCode_WithMessageNamingCallAndMethod()
        => Verify.VerifyAnalyzerAsync(Usings + Awaitables + """
            class Service
            {
                public void Save(Store store)
                {
                    {|#0:store.SaveAsync()|};
                    {|#1:store.FlushAsync()|};
                    {|#2:store.Schedule()|};
                    {|#3:Task.Run(() => 1)|};
                    {|#4:Task.Factory.StartNew(() => { })|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("The task returned by 'Store.SaveAsync' is discarded in method 'Save': nothing waits for it and its exceptions are lost; await it, or discard it explicitly with '_ ='"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Store.FlushAsync'", "method 'Save'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'Store.Schedule'", "method 'Save'"),
            Verify.Diagnostic().WithLocation(3).WithArguments("'Task.Run'", "method 'Save'"),
            Verify.Diagnostic().WithLocation(4).WithArguments("'TaskFactory.StartNew'", "method 'Save'"));

    [Fact]
    public Task ConditionalAccess_NamesTheCall_AndAnObservingContinuationIsQuiet()
        => Verify.VerifyAnalyzerAsync(Usings + Awaitables + """
            class Service
            {
                public void Save(Store? store, Task? pending)
                {
                    {|#0:store?.SaveAsync()|};
                    pending?.ContinueWith(t => Console.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Store.SaveAsync'", "method 'Save'"));

    [Fact]
    public Task Reports_InTaskReturningMethodsWithoutAsync_SyncLambdas_AndLocalFunctions()
        => Verify.VerifyAnalyzerAsync(Usings + Awaitables + """
            class Service
            {
                public Task SaveAllAsync(Store store)
                {
                    {|#0:store.SaveAsync()|};
                    return store.SaveAsync();
                }

                public Action Saver(Store store) => () => {|#1:store.SaveAsync()|};

                public void Run(Store store)
                {
                    Flush();
                    void Flush() => {|#2:store.FlushAsync()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Store.SaveAsync'", "method 'SaveAllAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Store.SaveAsync'", "lambda in 'Saver'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'Store.FlushAsync'", "local function 'Flush'"));

    [Fact]
    public Task NoDiagnostic_WhereCS4014AlreadyReports_ByDefault()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        public async Task SaveAsync(Store store)
                        {
                            #pragma warning disable CS4014
                            store.SaveAsync();
                            store.FlushAsync();
                            #pragma warning restore CS4014
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoDiagnostic_CallsOfSourceAsyncMethods_WhichCS4014ReportsEverywhere()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Service
                    {
                        private static async Task WriteAsync() => await Task.Yield();
                        private static Task WrapperAsync() => WriteAsync();

                        public void Save()
                        {
                            #pragma warning disable CS4014
                            WriteAsync();
                            #pragma warning restore CS4014
                            [|WrapperAsync()|];
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Option_ReportWhereCS4014Reports()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.AP2001.report_where_cs4014_reports = true\n") },
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        public async Task SaveAsync(Store store)
                        {
                            #pragma warning disable CS4014
                            [|store.SaveAsync()|];
                            #pragma warning restore CS4014
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoDiagnostic_ExplicitDiscards_ForgetHelpers_ContinueWith_Observed()
        => Verify.VerifyAnalyzerAsync(Usings + Awaitables + """
            static class TaskExtensions
            {
                // The project's own observe helpers: code inside them is not reported either.
                public static void Forget(this Task task)
                {
                    LogFailuresAsync(task);
                }

                public static void ObserveFailures(this Task task, Action<Exception> log)
                {
                    task.ConfigureAwait(false).GetAwaiter().OnCompleted(() => { if (task.Exception is { } e) log(e); });
                    LogFailuresAsync(task);
                }

                public static Task ObserveErrors(this Task task)
                {
                    task.ContinueWith(t => Console.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
                    return task;
                }

                private static async Task LogFailuresAsync(Task task)
                {
                    try { await task; } catch (Exception e) { Console.WriteLine(e); }
                }
            }
            class Service
            {
                private Task? _cached;
                private Task<int>? _count;

                public void Save(Store store)
                {
                    _cached ??= store.SaveAsync();
                    _cached = store.SaveAsync();
                    (_count, _cached) = (store.CountAsync(), store.SaveAsync());
                    _ = store.SaveAsync();
                    store.SaveAsync().Forget();
                    store.CountAsync().ObserveFailures(e => { });
                    store.SaveAsync().ObserveErrors();
                    store.SaveAsync().ContinueWith(t => t.Exception);
                    var pending = store.SaveAsync();
                    store.CountAsync().Wait();
                }

                public async Task RunAsync(Store store) => await store.SaveAsync();
            }
            """);

    [Fact]
    public Task Option_FireAndForgetSafeSymbols_AndForgetMethodNames()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles =
                {
                    Verify.EditorConfig("dotnet_code_quality.AP2001.fire_and_forget_safe_symbols = Store.FlushAsync|Job\n" + "dotnet_code_quality.forget_method_names = Detach\n"),
                },
                Sources =
                {
                    Usings + Awaitables + """
                    static class Extensions { public static void Detach(this Task task) { } }
                    class Service
                    {
                        public void Save(Store store)
                        {
                            store.FlushAsync();
                            store.Schedule();
                            store.SaveAsync().Detach();
                            [|store.SaveAsync()|];
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Option_AdditionalAwaitableTypes()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.additional_awaitable_types = Legacy.Operation\n") },
                Sources =
                {
                    Usings + """
                    namespace Legacy
                    {
                        public class Operation { public void Join() { } }
                        public sealed class DownloadOperation : Operation { }
                        class Client
                        {
                            public DownloadOperation Download() => new();
                            public void Run() { [|Download()|]; }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // ---- Work that cannot fault: nothing to lose when its task is dropped ----

    [Fact]
    public Task NoDiagnostic_ForkThatOnlyCompletesTaskCompletionSources()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Poller
            {
                // A native poll thread hands each result to the caller's source; Task.Run keeps continuations off it.
                public void OnEvent(object pending, Exception? error, List<int> result, TaskCompletionSource done)
                {
                    if (error is not null)
                        Task.Run(() => ((TaskCompletionSource<List<int>>)pending).TrySetException(new InvalidOperationException("poll failed", error)));
                    else
                        Task.Run(() => ((TaskCompletionSource<List<int>>)pending).TrySetResult(result));
                    Task.Factory.StartNew(() => { done.TrySetCanceled(); done.SetResult(); });
                }
            }
            """);

    [Fact]
    public Task Reports_ForkThatCompletesASourceAndDoesOtherWork()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Poller
            {
                public void OnEvent(TaskCompletionSource<int> pending, int[] rows)
                {
                    {|#0:Task.Run(() => { var total = Sum(rows); pending.TrySetResult(total); })|};
                    {|#1:Task.Run(() => pending.TrySetResult(Sum(rows)) && Notify())|};
                }

                private static int Sum(int[] rows) => rows.Length == 0 ? throw new ArgumentException("empty") : rows[0];
                private static bool Notify() => true;
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Task.Run'", "method 'OnEvent'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Task.Run'", "method 'OnEvent'"));

    [Fact]
    public Task NoDiagnostic_ForkedWorkThatCatchesEverythingItself()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private readonly object _gate = new();
                private bool _stopped;
                private int _misses;

                public Worker(Func<Task> poll, TaskCompletionSource<string> done)
                {
                    // The whole lambda is a try whose catch-all hands the failure to the source callers await.
                    Task.Run(() =>
                    {
                        try { done.TrySetResult(Look()); }
                        catch (Exception e) { done.TrySetException(e); }
                    });
                    // A worker loop behind a method group, a guard before its try.
                    Task.Run((Func<Task>)PumpAsync);
                    Task.Factory.StartNew(() => RefreshAsync(poll)).Unwrap();
                    Task.Run(async () =>
                    {
                        try { await poll(); }
                        catch (Exception e) { Console.WriteLine(e); }
                    });
                    Task.Run(async () => await RefreshAsync(poll));
                    Task.Run(Compile);
                    Task.Run(() => Drain(_gate));

                    void Compile()
                    {
                        try { Look(); }
                        catch { }
                    }
                }

                private async Task PumpAsync()
                {
                    if (_stopped)
                        return;
                    try
                    {
                        while (!_stopped)
                            await Task.Delay(10);
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                }

                private async Task RefreshAsync(Func<Task> poll)
                {
                    _ = 1;
                    bool counted = false, late;
                    try { await poll(); }
                    catch (Exception) { _misses++; }
                    finally { late = counted; }
                }

                private void Drain(object gate)
                {
                    lock (gate)
                    {
                        try { Look(); }
                        catch (Exception e) { Console.WriteLine(e); }
                    }
                }

                private static string Look() => "";
            }
            """);

    [Fact]
    public Task Reports_ForkedWorkThatLetsSomethingOut()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Host
            {
                private readonly CancellationTokenSource _shutdown = new();
                private readonly SemaphoreSlim _signal = new(0);

                public Task StartAsync(CancellationToken token)
                {
                    // A consumer loop with no handler at all: a throw ends it silently.
                    {|#0:Task.Run((Func<Task>)ConsumeAsync)|};
                    // The loop task is wrapped in an awaitable nobody awaits, and the loop catches only cancellation.
                    {|#1:Task.Run(() => RunAsync(token).ConfigureAwait(false))|};
                    // The catch-all rethrows, or filters, or sits around code that only starts the work.
                    {|#2:Task.Run(() => LogAndRethrowAsync())|};
                    {|#3:Task.Run(async () => { try { await ConsumeAsync(); } catch (Exception e) when (e is not OutOfMemoryException) { Console.WriteLine(e); } })|};
                    {|#4:Task.Run(() => { try { return ConsumeAsync(); } catch (Exception) { return Task.CompletedTask; } })|};
                    // An override may not catch what this body catches.
                    {|#5:Task.Run(() => HandleAsync())|};
                    // The argument is computed in the forked work, outside the callee's try.
                    {|#6:Task.Run(() => GuardedAsync(Parse("x")))|};
                    // What comes before the try calls a method, which may throw.
                    {|#7:Task.Run(ParsedAsync)|};
                    return Task.CompletedTask;
                }

                private async Task ConsumeAsync()
                {
                    while (!_shutdown.IsCancellationRequested)
                    {
                        await _signal.WaitAsync(_shutdown.Token);
                        await Task.Delay(10);
                    }
                }

                private async Task RunAsync(CancellationToken token)
                {
                    try { await Task.Delay(1000, token); }
                    catch (OperationCanceledException) { }
                }

                private async Task LogAndRethrowAsync()
                {
                    try { await Task.Delay(10); }
                    catch (Exception e) { Console.WriteLine(e); throw; }
                }

                protected virtual async Task HandleAsync()
                {
                    try { await Task.Delay(10); }
                    catch (Exception e) { Console.WriteLine(e); }
                }

                private async Task GuardedAsync(int value)
                {
                    try { await Task.Delay(value); }
                    catch (Exception e) { Console.WriteLine(e); }
                }

                private async Task ParsedAsync()
                {
                    var delay = Parse("10");
                    try { await Task.Delay(delay); }
                    catch (Exception e) { Console.WriteLine(e); }
                }

                private static int Parse(string text) => int.Parse(text);
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(3).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(4).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(5).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(6).WithArguments("'Task.Run'", "method 'StartAsync'"),
            Verify.Diagnostic().WithLocation(7).WithArguments("'Task.Run'", "method 'StartAsync'"));

    [Fact]
    public Task NoDiagnostic_OverloadThatForwardsToAnObserveHelper_ButOneThatForwardsElsewhereReports()
        => Verify.VerifyAnalyzerAsync(Usings + """
            public sealed class Inbox
            {
                public void Tell(object message) { }
                public Task PostAsync(Task<int> pending) => pending;
            }

            public static class Piping
            {
                // The short overload hands the task to the one that awaits it and tells the inbox either outcome.
                public static Task PipeTo(this Task<int> task, Inbox to) => task.PipeTo(to, continueOnCapturedContext: false);

                public static async Task PipeTo(this Task<int> task, Inbox to, bool continueOnCapturedContext)
                {
                    try { to.Tell(await task.ConfigureAwait(continueOnCapturedContext)); }
                    catch (Exception e) { to.Tell(e); }
                }

                // Same shape, but the overload it forwards to only passes the task on: nobody observes it.
                public static Task Relay(this Task<int> task, Inbox to) => task.Relay(to, attempts: 1);

                public static Task Relay(this Task<int> task, Inbox to, int attempts) => to.PostAsync(task);
            }

            class Actor
            {
                public void Receive(Inbox self, Task<int> lookup)
                {
                    lookup.PipeTo(self);
                    {|#0:lookup.Relay(self)|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Piping.Relay'", "method 'Receive'"));

    [Theory]
    [InlineData("void M() { Missing(); }")]
    [InlineData("void M() { Task.Run(; }")]
    [InlineData("void M() { new Store().SaveAsync( }")]
    [InlineData("void M() { Unknown.SaveAsync(); }")]
    [InlineData("void M(TaskCompletionSource<int> s) { Task.Run(() => { try { s.TrySetResult( } catch (Exception e) when { } }); }")]
    [InlineData("void M() { Task.Run(Missing); Task.Run(() => Pump()); } async Task Pump() { if (Unknown) return; try { await } catch { } }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + Awaitables + "class C { " + member + " }");

    // ---- Code fixes ----

    /// <summary>
    /// Where no await can go, or the function cannot become async, the explicit discard is the only fix: offered
    /// first, under the main key, so that a Fix All started there awaits the other diagnostics (issue 25, defect 10).
    /// </summary>
    private static Task VerifyOnlyDiscardAsync(string source, Microsoft.CodeAnalysis.CSharp.LanguageVersion languageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview)
        => new Verify.Test
        {
            TestCode = source,
            FixedCode = System.Text.RegularExpressions.Regex.Replace(source, @"\[\|(.*?)\|\]", "_ = $1"),
            LanguageVersion = languageVersion,
        }.RunAsync();

    [Fact]
    public Task Fix_AddAwait_MakesSyncMethodsAsync_VoidToTask_TToTaskOfT_HandlersStayVoid()
        => Verify.VerifyCodeFixAsync(Usings + Awaitables + """
            class Service
            {
                public void Save(Store store)
                {
                    [|store.SaveAsync()|];
                }

                public int Count(Store store)
                {
                    [|store.FlushAsync()|];
                    return 1;
                }

                public void OnClick(object sender, EventArgs e)
                {
                    [|new Store().SaveAsync()|];
                }

                public Task SaveTwiceAsync(Store store)
                {
                    [|store.SaveAsync()|];
                    return store.SaveAsync();
                }
            }
            """, Usings + Awaitables + """
            class Service
            {
                public async Task Save(Store store)
                {
                    await store.SaveAsync();
                }

                public async Task<int> Count(Store store)
                {
                    await store.FlushAsync();
                    return 1;
                }

                public async void OnClick(object sender, EventArgs e)
                {
                    await new Store().SaveAsync();
                }

                public async Task SaveTwiceAsync(Store store)
                {
                    await store.SaveAsync();
                    await store.SaveAsync();
                }
            }
            """);

    [Fact]
    public Task Fix_AddAwait_KeepsAHandlerVoid_WhenItsArgumentsDeriveFromEventArgs()
        => Verify.VerifyCodeFixAsync(Usings + Awaitables + """
            class Moved : EventArgs { }
            class View
            {
                public event EventHandler<Moved>? Relocated;

                public View() => Relocated += OnMoved;

                private void OnMoved(object? sender, Moved e)
                {
                    [|new Store().SaveAsync()|];
                }
            }
            """, Usings + Awaitables + """
            class Moved : EventArgs { }
            class View
            {
                public event EventHandler<Moved>? Relocated;

                public View() => Relocated += OnMoved;

                private async void OnMoved(object? sender, Moved e)
                {
                    await new Store().SaveAsync();
                }
            }
            """);

    [Fact]
    public Task Fix_DiscardExplicitly_WithFixAll()
        => new Verify.Test
        {
            CodeActionEquivalenceKey = "AP2001.Discard",
            TestState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        public void Save(Store store)
                        {
                            [|store.SaveAsync()|]; // background save
                            [|Task.Run(() => 1)|];
                        }
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        public void Save(Store store)
                        {
                            _ = store.SaveAsync(); // background save
                            _ = Task.Run(() => 1);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoAddAwait_ForOverridesAndInterfaceImplementations()
        => VerifyOnlyDiscardAsync(Usings + Awaitables + """
            interface ISaver { void Save(Store store); }
            abstract class Base { public abstract void Flush(Store store); }
            class Service : Base, ISaver
            {
                public void Save(Store store) { [|store.SaveAsync()|]; }
                public override void Flush(Store store) { [|store.FlushAsync()|]; }
            }
            """);

    [Fact]
    public Task NoAddAwait_ForNullConditionalCall()
        => VerifyOnlyDiscardAsync(Usings + Awaitables + """
            class Service
            {
                public void Save(Store? store) { [|store?.SaveAsync()|]; }
            }
            """);

    [Fact]
    public Task Fix_DiscardExplicitly_NullConditionalCall()
        => new Verify.Test
        {
            // The only fix, so the first action, under the main key (issue 25, defect 10).
            TestState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        public void Save(Store? store) { [|store?.SaveAsync()|]; }
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        public void Save(Store? store) { _ = store?.SaveAsync(); }
                    }
                    """,
                },
            },
        }.RunAsync();

    // Issue 25: no await can go in these members, whatever the fix does to the signature.
    [Theory]
    [InlineData("public int Count { set { [|_store.SaveAsync()|]; } }")]
    [InlineData("public int Count { get { [|_store.SaveAsync()|]; return 1; } }")]
    [InlineData("public event Action? Changed { add { [|_store.SaveAsync()|]; } remove { } }")]
    [InlineData("public Service() { [|_store.SaveAsync()|]; }")]
    [InlineData("~Service() { [|_store.SaveAsync()|]; }")]
    [InlineData("public static Service operator +(Service a, Service b) { [|a._store.SaveAsync()|]; return a; }")]
    [InlineData("public static implicit operator int(Service a) { [|a._store.SaveAsync()|]; return 1; }")]
    [InlineData("private readonly object _gate = new(); public void Save() { lock (_gate) { [|_store.SaveAsync()|]; } }")]
    public Task NoAddAwait_WhereNoAwaitCanGo(string member)
        => VerifyOnlyDiscardAsync(Usings + Awaitables + "class Service\n{\n    private readonly Store _store = new();\n    " + member + "\n}\n");

    [Fact]
    public Task Fix_DiscardExplicitly_StillOfferedInSetter()
        => new Verify.Test
        {
            // The only fix, so the first action, under the main key (issue 25, defect 10).
            TestState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        private readonly Store _store = new();
                        public int Count { set { [|_store.SaveAsync()|]; } }
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        private readonly Store _store = new();
                        public int Count { set { _ = _store.SaveAsync(); } }
                    }
                    """,
                },
            },
        }.RunAsync();

    // Below C# 13 (C# 12 is the .NET 8 SDK's default) an async method may hold no Span local (CS4012).
    [Fact]
    public Task NoAddAwait_WithSpanLocal_AtCSharp12()
        => VerifyOnlyDiscardAsync(Usings + Awaitables + """
            class Service
            {
                public int Save(Store store)
                {
                    Span<byte> buffer = stackalloc byte[4];
                    [|store.SaveAsync()|];
                    return buffer.Length;
                }
            }
            """, Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp12);

    [Fact]
    public Task NoAddAwait_WithSpanLocalUsedAfterTheAwait()
=> VerifyOnlyDiscardAsync(Usings + Awaitables + """
            class Service
            {
                public int Save(Store store, byte[] data)
                {
                    ReadOnlySpan<byte> view = data;
                    [|store.SaveAsync()|];
                    return view.Length;
                }
            }
            """);

    // Issue 25: an expression body drops the task as a statement would; "Add await" awaits it there and makes
    // the member async by the statement body's rules (void becomes Task, a handler stays void).
    [Fact]
    public Task Fix_AddAwait_ExpressionBodiedMethodsAndLocalFunctions()
        => Verify.VerifyCodeFixAsync(Usings + Awaitables + """
            class Service
            {
                void Save(Store store) => [|store.SaveAsync()|];

                void OnClick(object sender, EventArgs e) => [|new Store().FlushAsync()|];

                async Task RunAsync(Store store)
                {
                    await store.SaveAsync();
                    void Flush() => [|store.FlushAsync()|];
                }
            }
            """, Usings + Awaitables + """
            class Service
            {
                async Task Save(Store store) => await store.SaveAsync();

                async void OnClick(object sender, EventArgs e) => await new Store().FlushAsync();

                async Task RunAsync(Store store)
                {
                    await store.SaveAsync();
                    async Task Flush() => await store.FlushAsync();
                }
            }
            """);

    [Fact]
    public Task Fix_AddAwait_ExpressionBody_KeepsTheFilesConfigureAwaitFalse()
        => Verify.VerifyCodeFixAsync(Usings + Awaitables + """
            class Service
            {
                async Task LoadAsync(Store store) => await store.CountAsync().ConfigureAwait(false);

                void Save(Store store) => [|store.SaveAsync()|];
            }
            """, Usings + Awaitables + """
            class Service
            {
                async Task LoadAsync(Store store) => await store.CountAsync().ConfigureAwait(false);

                async Task Save(Store store) => await store.SaveAsync().ConfigureAwait(false);
            }
            """);

    // A synchronous lambda's return type is its delegate's, an accessor cannot be async, and an interface's
    // member keeps its signature: no "Add await" for these expression bodies either, so the main fix (first
    // action, and Fix All) is the discard.
    [Fact]
    public Task NoAddAwait_ForExpressionBodiesThatCannotBecomeAsync()
        => VerifyOnlyDiscardAsync(Usings + Awaitables + """
            interface ISaver { void Save(); }
            class Service : ISaver
            {
                private readonly Store _store = new();
                public Action Saver => () => [|_store.SaveAsync()|];
                public int Count { set => [|_store.SaveAsync()|]; }
                public void Save() => [|_store.SaveAsync()|];
                void Flush(Store? store) => [|store?.SaveAsync()|];
            }
            """);

    // Where "Add await" is offered too, the discard is the second action; lambdas and accessors get it as their
    // main fix (NoAddAwait_ForExpressionBodiesThatCannotBecomeAsync).
    [Fact]
    public Task Fix_DiscardExplicitly_ExpressionBody()
        => new Verify.Test
        {
            CodeActionEquivalenceKey = "AP2001.Discard",
            TestState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        private readonly Store _store = new();
                        void Flush() => [|_store.FlushAsync()|];
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        private readonly Store _store = new();
                        void Flush() => _ = _store.FlushAsync();
                    }
                    """,
                },
            },
        }.RunAsync();

    // ---- ContinueWith whose continuation ignores the task it continues (issue 29) ----

    [Fact]
    public Task Reports_ContinueWith_IgnoringItsAntecedent_InSyncAndAsyncCode_WithoutAFix()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + Awaitables + """
                    class Service
                    {
                        private readonly List<string> _log = new();

                        public void Save(Store store)
                        {
                            {|#0:store.SaveAsync().ContinueWith(_ => _log.Add("saved"))|};
                            {|#1:store.CountAsync().ContinueWith(t => _log.Add("counted"), TaskContinuationOptions.ExecuteSynchronously)|};
                            var pending = store.SaveAsync();
                            {|#2:pending.ContinueWith((_, state) => _log.Add((string)state!), "done")|};
                        }

                        public async Task RefreshAsync(Store store)
                        {
                            await Task.Yield();
                            {|#3:Task.Run(() => store.SaveAsync()).ContinueWith(async _ => await store.FlushAsync())|};
                        }
                    }
                    """,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic(DiscardedTaskAnalyzer.ContinuationRule).WithLocation(0).WithMessage("The continuation of 'Store.SaveAsync' in method 'Save' ignores the task it continues and is itself discarded: nothing observes the exception of 'Store.SaveAsync'; await 'Store.SaveAsync', or read the task's Exception in the continuation"),
                    Verify.Diagnostic(DiscardedTaskAnalyzer.ContinuationRule).WithLocation(1).WithArguments("'Store.CountAsync'", "method 'Save'"),
                    Verify.Diagnostic(DiscardedTaskAnalyzer.ContinuationRule).WithLocation(2).WithArguments("'pending'", "method 'Save'"),
                    Verify.Diagnostic(DiscardedTaskAnalyzer.ContinuationRule).WithLocation(3).WithArguments("'Task.Run'", "async method 'RefreshAsync'"),
                },
            },
        }.RunAsync();

    /// <summary>
    /// Look-alikes: the continuation reads the task (its Exception, Status, IsFaulted, Result, or hands it on), filters on its
    /// state (the author handled the fault), is a method group that receives it, or is itself kept; the antecedent is held
    /// elsewhere (a parameter, a field, a local also returned or awaited), only ends cancelled (Task.Delay), or catches everything.
    /// </summary>
    [Fact]
    public Task NoDiagnostic_ContinuationsThatObserveOrFilter_AndAntecedentsHeldElsewhere()
        => Verify.VerifyAnalyzerAsync(Usings + Awaitables + """
            class Service
            {
                private readonly List<string> _log = new();
                private Task? _running;
                private Task? _continuation;

                public Task Save(Store store, Task incoming, CancellationToken token)
                {
                    store.SaveAsync().ContinueWith(t => _log.Add(t.Exception?.Message ?? "ok"));
                    store.SaveAsync().ContinueWith(t => { if (t.IsFaulted) _log.Add("failed"); });
                    store.SaveAsync().ContinueWith(t => _log.Add(t.Status.ToString()));
                    store.CountAsync().ContinueWith(t => _log.Add(t.Result.ToString()));
                    store.SaveAsync().ContinueWith(t => Observe(t));
                    store.SaveAsync().ContinueWith(Observe);
                    store.SaveAsync().ContinueWith(_ => _log.Add("failed"), TaskContinuationOptions.OnlyOnFaulted);
                    store.SaveAsync().ContinueWith(_ => _log.Add("saved"), TaskContinuationOptions.NotOnFaulted);
                    store.SaveAsync().ContinueWith(_ => _log.Add("saved"), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    _continuation = store.SaveAsync().ContinueWith(_ => _log.Add("saved"));
                    _ = store.SaveAsync().ContinueWith(_ => _log.Add("saved"));
                    incoming.ContinueWith(_ => _log.Add("incoming done"));
                    _running?.ContinueWith(_ => _log.Add("running done"));
                    _running!.ContinueWith(_ => _log.Add("running done"));
                    Task.Delay(1000, token).ContinueWith(_ => _log.Add("tick"));
                    // Pipelines.Sockets.Unofficial's MutexSlim: a timeout's delay in a local, which only ends cancelled.
                    Task timeout = Task.Delay(1000, token);
                    timeout.ContinueWith((_, state) => { try { ((List<string>)state!).Add("expired"); } catch { } }, _log);
                    Task.Run(() => { try { _log.Add("work"); } catch (Exception e) { _log.Add(e.Message); } }).ContinueWith(_ => _log.Add("done"));
                    var pending = store.SaveAsync();
                    pending.ContinueWith(_ => _log.Add("saved"));
                    return pending.ContinueWith(_ => _log.Add("returned"));
                }

                public async Task AwaitedAsync(Store store)
                {
                    var pending = store.SaveAsync();
                    pending.ContinueWith(_ => _log.Add("saved"));
                    await pending;
                    await store.SaveAsync().ContinueWith(_ => _log.Add("awaited"));
                }

                private void Observe(Task task) => _log.Add(task.Exception?.Message ?? "ok");
            }
            """);

    [Theory]
    [InlineData("void M(Store s) { s.SaveAsync().ContinueWith(; }")]
    [InlineData("void M(Store s) { s.SaveAsync().ContinueWith(_ => ); }")]
    [InlineData("void M(Store s) { s.SaveAsync().ContinueWith(_ => { }, TaskContinuationOptions.); }")]
    [InlineData("void M(Store s) { Missing().ContinueWith(_ => { }); }")]
    [InlineData("void M(Store s) { s.SaveAsync().ContinueWith(Missing); }")]
    [InlineData("void M(Store s, TaskContinuationOptions o) { s.SaveAsync().ContinueWith(() => { }, o); }")]
    public Task NoCrash_OnHalfTypedContinuations(string member)
        => Verify.VerifyNoCrashAsync(Usings + Awaitables + "class C { " + member + " }");
}
