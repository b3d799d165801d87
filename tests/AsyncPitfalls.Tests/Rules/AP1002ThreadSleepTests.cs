using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.ThreadSleepAnalyzer, AsyncPitfalls.Rules.ThreadSleepCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP1002ThreadSleepTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Positive shapes ----

    [Fact]
    public Task Reports_AsyncMethod_WithMessageNamingTheMethod()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Poller
            {
                public async Task PollAsync()
                {
                    {|#0:Thread.Sleep(1000)|};
                    await Task.Yield();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Thread.Sleep' blocks a thread-pool thread in async method 'PollAsync'; use 'await Task.Delay'"));

    [Fact]
    public Task Reports_AsyncLambda_NamingTheContainingMethod()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public Task Run() => Task.Run(async () =>
                {
                    {|#0:Thread.Sleep(TimeSpan.FromSeconds(1))|};
                    await Task.Yield();
                });
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("async lambda in 'Run'"));

    [Fact]
    public Task Reports_AsyncLocalFunction()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public void Start()
                {
                    _ = PollOnce();

                    async Task PollOnce()
                    {
                        {|#0:Thread.Sleep(50)|};
                        await Task.Yield();
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("async local function 'PollOnce'"));

    [Fact]
    public Task Reports_ExpressionBodiedAsyncMethod()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task WaitAsync() => [|Thread.Sleep(10)|];
            }
            """);

    [Fact]
    public Task Reports_TaskReturningMethodWithoutAsync()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Cache
            {
                public Task<int> GetAsync()
                {
                    {|#0:Thread.Sleep(10)|};
                    return Task.FromResult(42);
                }

                public ValueTask WarmAsync()
                {
                    {|#1:Thread.Sleep(10)|};
                    return default;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("Task-returning method 'GetAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("ValueTask-returning method 'WarmAsync'"));

    [Fact]
    public Task Reports_AsyncIterator_AndAsyncVoid_AndFullyQualifiedCall()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Feed
            {
                public async IAsyncEnumerable<int> ReadAsync()
                {
                    for (var i = 0; i < 3; i++)
                    {
                        [|System.Threading.Thread.Sleep(5)|];
                        yield return i;
                        await Task.Yield();
                    }
                }

                public async void OnClick(object sender, EventArgs e)
                {
                    [|Thread.Sleep(5)|];
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Reports_AsyncTopLevelStatements()
        => new Verify.Test
        {
            ExpectedDiagnostics = { Verify.Diagnostic().WithLocation(0).WithArguments("async top-level statements") },
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    await Task.Yield();
                    {|#0:Thread.Sleep(100)|};
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Reports_AsyncLambdaInTopLevelStatements_WithoutTheCompilersName()
        => new Verify.Test
        {
            // The message must not show '<Main>$', the compiler's name for the top-level statements.
            ExpectedDiagnostics = { Verify.Diagnostic().WithLocation(0).WithArguments("async lambda in top-level statements") },
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    Func<Task> poll = async () =>
                    {
                        await Task.Yield();
                        {|#0:Thread.Sleep(100)|};
                    };
                    poll().Wait();
                    """,
                },
            },
        }.RunAsync();

    // ---- Negative shapes ----

    [Fact]
    public Task NoDiagnostic_SynchronousMethods()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Poller
            {
                public void Poll() => Thread.Sleep(100);

                public int Compute()
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(10));
                    return 1;
                }

                public static void Main() => Thread.Sleep(100);
            }
            """);

    [Fact]
    public Task NoDiagnostic_InCodeThatServesBothModes()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Retry
            {
                // One body for Pause() and PauseAsync(): the caller picks the mode.
                internal async Task Pause(TimeSpan delay, bool async)
                {
                    if (async)
                        await Task.Delay(delay);
                    else
                        Thread.Sleep(delay);
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_DedicatedThreadsAndSyncDelegatesInsideAsyncCode()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task StartAsync()
                {
                    var thread = new Thread(() =>
                    {
                        while (true)
                            Thread.Sleep(1000);
                    }) { IsBackground = true };
                    thread.Start();

                    await Task.Factory.StartNew(() => Thread.Sleep(100), TaskCreationOptions.LongRunning);
                    await Task.Run(() => { Thread.Sleep(100); return Task.CompletedTask; });

                    Action backOff = () => Thread.Sleep(10);
                    backOff();
                    Spin();

                    void Spin() => Thread.Sleep(1);
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_SleepZeroAndLookAlikes()
        => Verify.VerifyAnalyzerAsync(Usings + """
            namespace Game
            {
                static class Thread
                {
                    public static void Sleep(int milliseconds) { }
                }

                class Loop
                {
                    public async Task TickAsync()
                    {
                        Thread.Sleep(16);
                        System.Threading.Thread.Sleep(0);
                        System.Threading.Thread.SpinWait(20);
                        await Task.Yield();
                    }
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_SynchronousTopLevelStatements()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources = { Usings + "Console.WriteLine(\"start\");\nThread.Sleep(100);\n" },
            },
        }.RunAsync();

    // ---- Code fix ----

    [Fact]
    public Task Fix_AsyncMethod_AwaitsTaskDelay()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Poller
            {
                public async Task PollAsync()
                {
                    [|Thread.Sleep(1000)|]; // back off
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Poller
            {
                public async Task PollAsync()
                {
                    await Task.Delay(1000); // back off
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Fix_ForwardsTheCancellationTokenParameter()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Poller
            {
                public async Task PollAsync(string url, CancellationToken cancellationToken)
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        [|Thread.Sleep(TimeSpan.FromSeconds(1))|];
                        await Task.Yield();
                    }
                }
            }
            """, Usings + """
            class Poller
            {
                public async Task PollAsync(string url, CancellationToken cancellationToken)
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                        await Task.Yield();
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_PrefersTheLinkedTokenSourceDeclaredInTheBody()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Poller
            {
                public async Task PollAsync(CancellationToken ct)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(5000);
                    [|Thread.Sleep(100)|];
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Poller
            {
                public async Task PollAsync(CancellationToken ct)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(5000);
                    await Task.Delay(100, timeout.Token);
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Fix_LambdaForwardsTheEnclosingMethodsToken_AndTwoTokensAreNotGuessed()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public Task RunAsync(CancellationToken stopping) => Task.Run(async () =>
                {
                    [|Thread.Sleep(10)|];
                    await Task.Yield();
                });

                public async Task CopyAsync(CancellationToken source, CancellationToken target)
                {
                    [|Thread.Sleep(10)|];
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Worker
            {
                public Task RunAsync(CancellationToken stopping) => Task.Run(async () =>
                {
                    await Task.Delay(10, stopping);
                    await Task.Yield();
                });

                public async Task CopyAsync(CancellationToken source, CancellationToken target)
                {
                    await Task.Delay(10);
                    await Task.Yield();
                }
            }
            """);

    /// <summary>
    /// A minimal-API handler's own token: the CancellationToken it takes, or its HttpContext's RequestAborted, before
    /// any token of the method that registers it (which belongs to the start-up, not to the request).
    /// </summary>
    [Fact]
    public Task Fix_MinimalApiHandler_PassesTheRequestsToken()
        => Verify.VerifyCodeFixAsync(Usings + AP5003TokenNotForwardedTests.Http + """
            class Endpoints
            {
                public static void MapGet(string pattern, Delegate handler) { }

                public void Map(CancellationToken startup)
                {
                    MapGet("/slow", async (HttpContext context) =>
                    {
                        [|Thread.Sleep(100)|];
                        await Task.Yield();
                    });
                    MapGet("/slower", async (string id, CancellationToken cancellationToken) =>
                    {
                        [|Thread.Sleep(200)|];
                        await Task.Yield();
                    });
                }
            }
            """, Usings + AP5003TokenNotForwardedTests.Http + """
            class Endpoints
            {
                public static void MapGet(string pattern, Delegate handler) { }

                public void Map(CancellationToken startup)
                {
                    MapGet("/slow", async (HttpContext context) =>
                    {
                        await Task.Delay(100, context.RequestAborted);
                        await Task.Yield();
                    });
                    MapGet("/slower", async (string id, CancellationToken cancellationToken) =>
                    {
                        await Task.Delay(200, cancellationToken);
                        await Task.Yield();
                    });
                }
            }
            """);

    /// <summary>The same handlers in a Program.cs of top-level statements, the usual home of a minimal API.</summary>
    [Fact]
    public Task Fix_MinimalApiHandlerInTopLevelStatements_PassesRequestAborted()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    Endpoints.MapGet("/slow", async (HttpContext context) =>
                    {
                        [|Thread.Sleep(TimeSpan.FromSeconds(1))|];
                        await context.WriteAsync("done");
                    });

                    public class HttpContext
                    {
                        public CancellationToken RequestAborted { get; set; }
                        public Task WriteAsync(string text) => Task.CompletedTask;
                    }

                    static class Endpoints
                    {
                        public static void MapGet(string pattern, Delegate handler) { }
                    }
                    """,
                },
            },
            FixedState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    Endpoints.MapGet("/slow", async (HttpContext context) =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), context.RequestAborted);
                        await context.WriteAsync("done");
                    });

                    public class HttpContext
                    {
                        public CancellationToken RequestAborted { get; set; }
                        public Task WriteAsync(string text) => Task.CompletedTask;
                    }

                    static class Endpoints
                    {
                        public static void MapGet(string pattern, Delegate handler) { }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_TaskReturningMethod_BecomesAsync()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Poller
            {
                public Task PollAsync(bool fast)
                {
                    if (fast)
                        return Task.CompletedTask;
                    [|Thread.Sleep(100)|];
                    return Task.CompletedTask;
                }
            }
            """, Usings + """
            class Poller
            {
                public async Task PollAsync(bool fast)
                {
                    if (fast)
                        return;
                    await Task.Delay(100);
                }
            }
            """);

    [Fact]
    public Task Fix_TaskOfTReturningMethod_BecomesAsync_AndUnwrapsFromResult()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Cache
            {
                public Task<int> GetAsync(bool cached)
                {
                    [|Thread.Sleep(10)|];
                    if (cached)
                        return Task.FromResult(42);
                    return LoadAsync();
                }

                private static Task<int> LoadAsync() => Task.FromResult(1);
            }
            """, Usings + """
            class Cache
            {
                public async Task<int> GetAsync(bool cached)
                {
                    await Task.Delay(10);
                    if (cached)
                        return 42;
                    return await LoadAsync();
                }

                private static Task<int> LoadAsync() => Task.FromResult(1);
            }
            """);

    [Fact]
    public Task Fix_NonAsyncTaskMethod_ReturningAnotherTask_AwaitsItThenReturns()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Sender
            {
                public Task SendAsync(string message)
                {
                    [|Thread.Sleep(5)|];
                    return WriteAsync(message);
                }

                private static Task WriteAsync(string message) => Task.CompletedTask;
            }
            """, Usings + """
            class Sender
            {
                public async Task SendAsync(string message)
                {
                    await Task.Delay(5);
                    await WriteAsync(message);
                }

                private static Task WriteAsync(string message) => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task Fix_KeepsConfigureAwaitFalse_WhenTheFileUsesIt()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Client
            {
                public async Task SendAsync()
                {
                    await Task.Yield();
                    [|Thread.Sleep(millisecondsTimeout: 250)|];
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }
            """, Usings + """
            class Client
            {
                public async Task SendAsync()
                {
                    await Task.Yield();
                    await Task.Delay(250).ConfigureAwait(false);
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }
            """);

    [Fact]
    public Task Fix_ExpressionBodiedAsyncLambda()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public Func<Task> Pause = async () => [|Thread.Sleep(20)|];
            }
            """, Usings + """
            class Worker
            {
                public Func<Task> Pause = async () => await Task.Delay(20);
            }
            """);

    [Fact]
    public Task Fix_AddsTheTasksUsingWhenMissing()
        => Verify.VerifyCodeFixAsync("""
            using System.Threading;

            class Worker
            {
                public async System.Threading.Tasks.Task RunAsync()
                {
                    [|Thread.Sleep(20)|];
                    await System.Threading.Tasks.Task.Yield();
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                public async System.Threading.Tasks.Task RunAsync()
                {
                    await Task.Delay(20);
                    await System.Threading.Tasks.Task.Yield();
                }
            }
            """);

    [Fact]
    public Task NoFix_InsideLockBody_WhereAwaitIsNotAllowed()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Counter
                    {
                        private readonly object _gate = new();

                        public async Task IncrementAsync()
                        {
                            await Task.Yield();
                            lock (_gate)
                            {
                                [|Thread.Sleep(10)|];
                            }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // ---- Fix All ----

    [Fact]
    public Task FixAll_FixesEverySleepInTheDocument_AndMakesTheMethodAsyncOnce()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Poller
            {
                public Task<int> PollAsync(CancellationToken ct)
                {
                    [|Thread.Sleep(10)|];
                    [|Thread.Sleep(20)|];
                    return Task.FromResult(3);
                }

                public async Task RetryAsync()
                {
                    for (var i = 0; i < 3; i++)
                    {
                        [|Thread.Sleep(100 * i)|];
                        await Task.Yield();
                    }
                }
            }
            """, Usings + """
            class Poller
            {
                public async Task<int> PollAsync(CancellationToken ct)
                {
                    await Task.Delay(10, ct);
                    await Task.Delay(20, ct);
                    return 3;
                }

                public async Task RetryAsync()
                {
                    for (var i = 0; i < 3; i++)
                    {
                        await Task.Delay(100 * i);
                        await Task.Yield();
                    }
                }
            }
            """);

    [Fact]
    public Task FixAll_InProjectAndSolutionScope_CoversEveryDocument()
    {
        const string First = Usings + """
            class A
            {
                public async Task RunAsync()
                {
                    [|Thread.Sleep(1)|];
                    await Task.Yield();
                }
            }
            """;
        const string FirstFixed = Usings + """
            class A
            {
                public async Task RunAsync()
                {
                    await Task.Delay(1);
                    await Task.Yield();
                }
            }
            """;
        return new Verify.Test
        {
            TestState =
            {
                Sources = { First, First.Replace("class A", "class B") },
                AdditionalProjects = { ["OtherProject"] = { Sources = { First.Replace("class A", "class C") } } },
            },
            FixedState =
            {
                Sources = { FirstFixed, FirstFixed.Replace("class A", "class B") },
                AdditionalProjects = { ["OtherProject"] = { Sources = { FirstFixed.Replace("class A", "class C") } } },
            },
        }.RunAsync();
    }

    // ---- Broken code ----

    [Theory]
    [InlineData("public async Task M() { Thread.Sleep( }")]
    [InlineData("public async Task M() { Thread.Sleep(delay); }")]
    [InlineData("public async Task M() { Thread. }")]
    [InlineData("public async Task M() { Thread.Sleep(1, 2); }")]
    [InlineData("public async Task M( { Thread.Sleep(1); }")]
    [InlineData("public async Unknown M() { Thread.Sleep(1); }")]
    [InlineData("public Task M() { Thread.Sleep(1) }")]
    [InlineData("public async Task M() => Thread.Sleep(")]
    [InlineData("async Task M() { var f = async () => Thread.Sleep(1) }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    [Fact]
    public Task NoCrash_WithoutThreadingUsings()
        => Verify.VerifyNoCrashAsync("class C { async System.Threading.Tasks.Task M() { Sleep(10); Thread.Sleep(10); } }");
}
