using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.UndisposedTokenSourceAnalyzer, AsyncPitfalls.Rules.UndisposedTokenSourceCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP4004UndisposedTokenSourceTests
{
    private const string Usings = AP4001UndisposedHttpClientTests.Usings;

    [Fact]
    public Task Reports_TimedLinkedAndPlainSources_NamingWhatKeepsThemAlive()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    var timeout = {|#0:new CancellationTokenSource()|};
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    await work(timeout.Token);

                    var linked = {|#1:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                    await work(linked.Token);

                    var timed = {|#2:new CancellationTokenSource(TimeSpan.FromSeconds(1))|};
                    var watch = new WeakReference(timed);
                    await work(timed.Token);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("CancellationTokenSource 'timeout' is not disposed in async method 'RunAsync': its CancelAfter timer keeps it alive until it fires; use 'using var'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("CancellationTokenSource 'linked'", "async method 'RunAsync'", "it stays registered on its outer token, and alive as long as that token is"),
            Verify.Diagnostic().WithLocation(2).WithArguments("CancellationTokenSource 'timed'", "async method 'RunAsync'", "its CancelAfter timer keeps it alive until it fires"));

    [Fact]
    public Task Reports_SourcesCreatedInline_SayingWhatTheyAre()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    await work({|#0:CancellationTokenSource.CreateLinkedTokenSource(ct)|}.Token);
                    await work({|#1:new CancellationTokenSource(TimeSpan.FromSeconds(1))|}.Token);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("The linked CancellationTokenSource created here is not disposed in async method 'RunAsync': it stays registered on its outer token, and alive as long as that token is; use 'using var'"),
            Verify.Diagnostic().WithLocation(1).WithMessage("The CancellationTokenSource created here is not disposed in async method 'RunAsync': its CancelAfter timer keeps it alive until it fires; use 'using var'"));

    [Fact]
    public Task NoDiagnostic_UsingFieldsReturnedAndDisposed()
        => Verify.VerifyAnalyzerAsync(Usings + """
            sealed class Worker : IDisposable
            {
                private readonly CancellationTokenSource _stopping = new();
                private CancellationTokenSource? _current;

                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
                    await work(linked.Token);
                    _current = new CancellationTokenSource();
                }

                public CancellationTokenSource Create() => new CancellationTokenSource();

                public void Restart()
                {
                    var next = new CancellationTokenSource();
                    var previous = Interlocked.Exchange(ref _current, next);
                    previous?.Cancel();
                    previous?.Dispose();
                }

                public void Dispose() => _stopping.Dispose();
            }
            """);

    [Fact]
    public Task Fix_UsingVar_ForEverySource()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    var timeout = [|new CancellationTokenSource()|];
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    var linked = [|CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token)|];
                    await work(linked.Token);
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    using var timeout = new CancellationTokenSource();
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                    await work(linked.Token);
                }
            }
            """);

    // C# 7.3 (netstandard2.0, .NET Framework) has no using declaration: 'using var' did not compile there (CS8370).
    [Fact]
    public Task Fix_BelowCSharp8_MovesTheRestOfTheBlockIntoAUsingStatement()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    // Bounded by a timeout.
                    var timeout = [|new CancellationTokenSource()|]; // five seconds
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    var linked = [|CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token)|];
                    await work(linked.Token);
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    // Bounded by a timeout.
                    using var timeout = new CancellationTokenSource(); // five seconds
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                    await work(linked.Token);
                }
            }
            """, fixedSourceAtCSharp7_3: Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    // Bounded by a timeout.
                    using (var timeout = new CancellationTokenSource()) // five seconds
                    {
                        timeout.CancelAfter(TimeSpan.FromSeconds(5));
                        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
                        {
                            await work(linked.Token);
                        }
                    }
                }
            }
            """);

    // A local function declared after the source and used before it would be out of scope there, in the using's braces.
    [Fact]
    public Task NoFix_BelowCSharp8_WhenTheRestOfTheBlockDeclaresALocalFunctionUsedBeforeIt()
        => new Verify.Test
        {
            LanguageVersion = LanguageVersion.CSharp7_3,
            ExpectNoFix = true,
            TestCode = Usings + """
                class Worker
                {
                    public async Task RunAsync(Func<CancellationToken, Task> work)
                    {
                        var timeout = [|new CancellationTokenSource(Delay())|];
                        await work(timeout.Token);

                        TimeSpan Delay() => TimeSpan.FromSeconds(5);
                    }
                }
                """,
        }.RunAsync();

    // '#endif' before the block's closing brace would close its region inside the using's braces, and without
    // DEBUG the using's own closing brace would vanish.
    [Fact]
    public Task NoFix_BelowCSharp8_WhenADirectiveStandsBeforeTheClosingBrace()
        => new Verify.Test
        {
            LanguageVersion = LanguageVersion.CSharp7_3,
            ExpectNoFix = true,
            TestCode = Usings + """
                class Worker
                {
                    public async Task RunAsync(Func<CancellationToken, Task> work)
                    {
                        var timeout = [|new CancellationTokenSource(TimeSpan.FromSeconds(5))|];
                        await work(timeout.Token);
                #if DEBUG
                        Console.WriteLine("done");
                #endif
                    }
                }
                """,
        }.RunAsync();

    // Issue 29, shape 1: a source the type creates and keeps in a field.
    [Fact]
    public Task Reports_OwnedFieldSources_NeverDisposedOrReplacedWithoutDisposing()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Poller
            {
                private readonly CancellationTokenSource _cts;
                public Poller(CancellationToken stopping) => _cts = {|#0:CancellationTokenSource.CreateLinkedTokenSource(stopping)|};
                public void Stop() => _cts.Cancel();
            }

            sealed class Session : IDisposable
            {
                private readonly CancellationTokenSource _idle = {|#1:new CancellationTokenSource(TimeSpan.FromMinutes(5))|};
                private CancellationTokenSource Heartbeat { get; } = {|#2:new CancellationTokenSource()|};
                public void Touch() { _idle.CancelAfter(TimeSpan.FromMinutes(5)); Heartbeat.CancelAfter(1000); }
                public void Dispose() { }
            }

            sealed class JobRunner : IDisposable
            {
                private CancellationTokenSource? _current;
                private CancellationTokenSource _round = new CancellationTokenSource(TimeSpan.FromSeconds(30));

                public async Task RunAllAsync(IEnumerable<Func<CancellationToken, Task>> jobs, CancellationToken ct)
                {
                    foreach (var job in jobs)
                    {
                        _current = {|#3:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                        await job(_current.Token);
                    }
                }

                public void NextRound()
                {
                    _round.Cancel();
                    _round = {|#4:new CancellationTokenSource(TimeSpan.FromSeconds(30))|};
                }

                public void Dispose()
                {
                    _current?.Dispose();
                    _round.Dispose();
                }
            }

            // The real twin of a timed source its Dispose cancels: cancelling a linked one leaves it registered on its outer token.
            sealed class Listener : IAsyncDisposable
            {
                private readonly CancellationTokenSource _linked;
                public Listener(CancellationToken stopping) => _linked = {|#5:CancellationTokenSource.CreateLinkedTokenSource(stopping)|};
                public ValueTask DisposeAsync() { _linked.Cancel(); return default; }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Poller' creates the linked CancellationTokenSource in field '_cts' and never disposes it: 'Poller' is not IDisposable"),
            Verify.Diagnostic().WithLocation(1).WithMessage("'Session' creates the CancellationTokenSource in field '_idle' and never disposes it, not even in its Dispose"),
            Verify.Diagnostic().WithLocation(2).WithMessage("'Session' creates the CancellationTokenSource in property 'Heartbeat' and never disposes it, not even in its Dispose"),
            Verify.Diagnostic().WithLocation(3).WithMessage("'JobRunner' creates the linked CancellationTokenSource in field '_current' and replaces it in 'RunAllAsync' without disposing the previous one"),
            Verify.Diagnostic().WithLocation(4).WithMessage("'JobRunner' creates the CancellationTokenSource in field '_round' and replaces it in 'NextRound' without disposing the previous one"),
            Verify.Diagnostic().WithLocation(5).WithMessage("'Listener' creates the linked CancellationTokenSource in field '_linked' and never disposes it, not even in its Dispose"));

    /// <summary>The look-alikes of the field shape: each is looked after, not the type's to dispose, or holds nothing.</summary>
    [Fact]
    public Task NoDiagnostic_FieldSourcesLookedAfter_NotOwned_OrHoldingNothing()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Plain
            {
                // No timer and no link: its disposal releases nothing.
                private readonly CancellationTokenSource _stop = new CancellationTokenSource();
                public void Stop() => _stop.Cancel();
            }

            class Injected
            {
                private readonly CancellationTokenSource _given;
                private readonly CancellationTokenSource _either;
                public Injected(CancellationTokenSource given, CancellationTokenSource? maybe)
                {
                    _given = given;
                    _either = maybe ?? new CancellationTokenSource(1000);
                }
            }

            class Shared
            {
                // Static: lives for the process.
                private static readonly CancellationTokenSource s_shutdown = new CancellationTokenSource(TimeSpan.FromHours(1));
                public static CancellationToken Token => s_shutdown.Token;
            }

            sealed class Singleton
            {
                public static readonly Singleton Instance = new Singleton();
                private readonly CancellationTokenSource _timeout = new CancellationTokenSource(TimeSpan.FromHours(1));
                private Singleton() { }
                public CancellationToken Token => _timeout.Token;
            }

            class HandedOver
            {
                private readonly CancellationTokenSource _passed = new CancellationTokenSource(1000);
                private readonly CancellationTokenSource _returned = new CancellationTokenSource(1000);
                private readonly CancellationTokenSource _stored = new CancellationTokenSource(1000);
                public List<CancellationTokenSource> All { get; } = new();
                public HandedOver() { Track(_passed); All.Add(_stored); }
                public CancellationTokenSource Take() => _returned;
                private static void Track(CancellationTokenSource source) { }
            }

            class Visible
            {
                // Not private: code outside the type may dispose it.
                protected readonly CancellationTokenSource Timeout = new CancellationTokenSource(1000);
                internal CancellationTokenSource Linked = new CancellationTokenSource(1000);
            }

            sealed class Disposed : IDisposable, IAsyncDisposable
            {
                private readonly CancellationTokenSource _a = new CancellationTokenSource(1000);
                private readonly CancellationTokenSource _b = new CancellationTokenSource(1000);
                private readonly CancellationTokenSource _c = new CancellationTokenSource(1000);
                public void Dispose() => Dispose(true);
                private void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        _a.Dispose();
                        using (_b) { }
                    }
                }
                public ValueTask DisposeAsync() { _c?.Dispose(); return default; }
            }

            sealed class Restarts : IDisposable
            {
                private CancellationTokenSource? _a;
                private CancellationTokenSource? _b;
                private CancellationTokenSource? _c;
                private CancellationTokenSource? _d;
                private CancellationTokenSource? _lazy;
                private CancellationTokenSource? _checked;

                public void Restart(CancellationToken ct)
                {
                    _a?.Dispose();
                    _a = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    Interlocked.Exchange(ref _b, CancellationTokenSource.CreateLinkedTokenSource(ct))?.Dispose();
                    var previous = _c;
                    _c = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    previous?.Cancel();
                    previous?.Dispose();
                    StopD();
                    _d = CancellationTokenSource.CreateLinkedTokenSource(ct);
                }

                private void StopD() { _d?.Cancel(); _d?.Dispose(); }

                public CancellationToken Lazy(CancellationToken ct)
                {
                    _lazy ??= CancellationTokenSource.CreateLinkedTokenSource(ct);
                    if (_checked is null)
                        _checked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    return _lazy.Token;
                }

                public void Dispose()
                {
                    _a?.Dispose();
                    _b?.Dispose();
                    _c?.Dispose();
                    _d?.Dispose();
                    _lazy?.Dispose();
                    _checked?.Dispose();
                }
            }

            class StartStop
            {
                private CancellationTokenSource? _run;
                // Started once: nothing held before it, and Stop ends the run.
                public void Start(CancellationToken ct) => _run = CancellationTokenSource.CreateLinkedTokenSource(ct);
                public void Stop() { _run?.Cancel(); _run?.Dispose(); }
            }

            sealed class Harness : IAsyncDisposable
            {
                // Timed, not linked: the Cancel in DisposeAsync stops its timer, and nothing is left to release.
                private readonly CancellationTokenSource _testTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                public CancellationToken Token => _testTimeout.Token;
                public ValueTask DisposeAsync() { _testTimeout.Cancel(); return default; }
            }

            class Outer
            {
                private readonly CancellationTokenSource _timeout = new CancellationTokenSource(1000);
                // A nested type may dispose its container's private fields.
                private sealed class Closer { public void Close(Outer outer) => outer._timeout.Dispose(); }
            }
            """);

    [Theory]
    [InlineData("private CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(")]
    [InlineData("private CancellationTokenSource _cts; void M(CancellationToken ct) { _cts = CancellationTokenSource.CreateLinkedTokenSource(ct); _cts = ; }")]
    [InlineData("private CancellationTokenSource _cts; void M() { Interlocked.Exchange(ref _cts, ")]
    [InlineData("private CancellationTokenSource _cts = new CancellationTokenSource(1000); public void Dispose() { _cts.")]
    public Task NoCrash_OnHalfTypedFieldCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C : IDisposable { " + member + " }");

    /// <summary>
    /// Issue 29, shape 2: a linked source per request in a minimal API handler or a controller action, never
    /// disposed. A local of a handler lambda or local function was taken for a captured one before (never reported).
    /// </summary>
    [Fact]
    public Task Reports_LinkedSourcePerRequest_InHandlers()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;
                    using Microsoft.AspNetCore.Http;

                    var app = WebApplication.CreateBuilder(args).Build();
                    app.MapGet("/report", async (HttpContext context) =>
                    {
                        var timeout = {|#0:CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted)|};
                        timeout.CancelAfter(TimeSpan.FromSeconds(10));
                        await Task.Delay(100, timeout.Token);
                        return "done";
                    });
                    app.MapGet("/export", Export);
                    app.Run();

                    static async Task<string> Export(CancellationToken requestAborted)
                    {
                        var linked = {|#1:CancellationTokenSource.CreateLinkedTokenSource(requestAborted)|};
                        await Task.Delay(100, linked.Token);
                        return "done";
                    }

                    class ReportsController
                    {
                        public HttpContext HttpContext { get; } = new HttpContext();
                        public async Task<string> Get(CancellationToken cancellationToken)
                        {
                            var linked = {|#2:CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted, cancellationToken)|};
                            await Task.Delay(100, linked.Token);
                            return "done";
                        }
                    }
                    """,
                    AP4002HttpClientPerOperationTests.AspNetCore,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic().WithLocation(0).WithMessage("CancellationTokenSource 'timeout' is not disposed in async lambda in top-level statements: it stays registered on its outer token, and alive as long as that token is; use 'using var'"),
                    Verify.Diagnostic().WithLocation(1).WithArguments("CancellationTokenSource 'linked'", "async local function 'Export'", "it stays registered on its outer token, and alive as long as that token is"),
                    Verify.Diagnostic().WithLocation(2).WithArguments("CancellationTokenSource 'linked'", "async method 'Get'", "it stays registered on its outer token, and alive as long as that token is"),
                },
            },
        }.RunAsync();

    /// <summary>The twins of the handlers above: disposed, or handed to a lambda or a method that may dispose it later.</summary>
    [Fact]
    public Task NoDiagnostic_LinkedSourcePerRequest_DisposedOrHandedOver()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;
                    using Microsoft.AspNetCore.Http;

                    var app = WebApplication.CreateBuilder(args).Build();
                    app.MapGet("/report", async (HttpContext context) =>
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                        await Task.Delay(100, timeout.Token);
                        return "done";
                    });
                    app.MapGet("/watch", (HttpContext context) =>
                    {
                        var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                        return Task.Run(async () => { using (linked) await Task.Delay(100, linked.Token); });
                    });
                    app.MapGet("/queue", (HttpContext context) =>
                    {
                        var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                        Queue(linked);
                        return "queued";
                    });
                    app.Run();

                    static void Queue(CancellationTokenSource source) => source.Dispose();
                    """,
                    AP4002HttpClientPerOperationTests.AspNetCore,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_FieldSourcesTheDisposeForgets_AreDisposedInsideIfDisposing()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Session : IDisposable
            {
                private readonly CancellationTokenSource _idle = [|new CancellationTokenSource(TimeSpan.FromMinutes(5))|];
                private readonly CancellationTokenSource _linked;
                private readonly Stream _log = Stream.Null;

                public Session(CancellationToken stopping) => _linked = [|CancellationTokenSource.CreateLinkedTokenSource(stopping)|];

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        _log.Dispose();
                    }
                }
            }
            """, Usings + """
            class Session : IDisposable
            {
                private readonly CancellationTokenSource _idle = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                private readonly CancellationTokenSource _linked;
                private readonly Stream _log = Stream.Null;

                public Session(CancellationToken stopping) => _linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);

                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing)
                {
                    if (disposing)
                    {
                        _log.Dispose();
                        _idle?.Dispose();
                        _linked?.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_FieldSourceTheDisposeAsyncForgets_IsDisposedBeforeItsReturn_KeepingConfigureAwait()
        => Verify.VerifyCodeFixAsync(Usings + """
            sealed class Feed : IAsyncDisposable
            {
                private readonly CancellationTokenSource _timeout = [|new CancellationTokenSource(TimeSpan.FromSeconds(30))|];
                private readonly Stream _stream = Stream.Null;

                public async ValueTask DisposeAsync()
                {
                    await _stream.DisposeAsync().ConfigureAwait(false);
                    return;
                }
            }
            """, Usings + """
            sealed class Feed : IAsyncDisposable
            {
                private readonly CancellationTokenSource _timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                private readonly Stream _stream = Stream.Null;

                public async ValueTask DisposeAsync()
                {
                    await _stream.DisposeAsync().ConfigureAwait(false);
                    _timeout?.Dispose();
                    return;
                }
            }
            """);

    [Fact]
    public Task Fix_ReplacedFieldSource_DisposesThePreviousOneFirst()
        => Verify.VerifyCodeFixAsync(Usings + """
            sealed class JobRunner : IDisposable
            {
                private CancellationTokenSource? _current;

                public async Task RunAllAsync(IEnumerable<Func<CancellationToken, Task>> jobs, CancellationToken ct)
                {
                    foreach (var job in jobs)
                    {
                        // One source per job.
                        _current = [|CancellationTokenSource.CreateLinkedTokenSource(ct)|];
                        await job(_current.Token).ConfigureAwait(false);
                    }
                }

                public void Dispose() => _current?.Dispose();
            }
            """, Usings + """
            sealed class JobRunner : IDisposable
            {
                private CancellationTokenSource? _current;

                public async Task RunAllAsync(IEnumerable<Func<CancellationToken, Task>> jobs, CancellationToken ct)
                {
                    foreach (var job in jobs)
                    {
                        _current?.Dispose();
                        // One source per job.
                        _current = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        await job(_current.Token).ConfigureAwait(false);
                    }
                }

                public void Dispose() => _current?.Dispose();
            }
            """);

    // A part in generated code is not analyzed: a Razor component's @code block that disposes the source would go unseen,
    // so a type whose generated part mentions disposal is not judged. A generated part that does not (a logging source
    // generator's) leaves the type judged as usual.
    [Fact]
    public Task FieldSources_OfATypeWithAGeneratedPart_JudgedOnlyWhenThatPartCannotDispose()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Usings + """
                        partial class Countdown
                        {
                            private readonly CancellationTokenSource _timeout = new CancellationTokenSource(1000);
                            public CancellationToken Token => _timeout.Token;
                        }

                        partial class Poller
                        {
                            private readonly CancellationTokenSource _timeout = [|new CancellationTokenSource(1000)|];
                            public CancellationToken Token => _timeout.Token;
                        }
                        """,
                    ("Countdown.razor.g.cs", """
                        // <auto-generated/>
                        partial class Countdown : System.IDisposable
                        {
                            public void Dispose() => _timeout.Dispose();
                        }
                        """),
                    ("Poller.Logging.g.cs", """
                        // <auto-generated/>
                        partial class Poller
                        {
                            private static void LogStarted() { }
                        }
                        """),
                },
            },
        }.RunAsync();

    // The new source links to the old one: disposing the old one first would make '_cts.Token' throw ObjectDisposedException.
    // The old source still leaks, so the report stays; only the fix is withheld.
    [Fact]
    public Task NoFix_ReplacedFieldSource_WhenTheNewSourceReadsTheOldOne()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestCode = Usings + """
                sealed class Deadline : IDisposable
                {
                    private CancellationTokenSource _cts;

                    public Deadline(TimeSpan timeout) => _cts = new CancellationTokenSource(timeout);

                    public void Rearm(CancellationToken ct)
                    {
                        _cts = [|CancellationTokenSource.CreateLinkedTokenSource(_cts.Token, ct)|];
                    }

                    public void Dispose() => _cts.Dispose();
                }
                """,
        }.RunAsync();

    // Implementing IDisposable would change the type's public surface and oblige every caller to dispose it; a Dispose
    // with an expression body, or a Dispose(bool) without an 'if (disposing)' block, has no safe place to add to.
    [Fact]
    public Task NoFix_FieldSource_WhenTheTypeIsNotDisposable_OrItsDisposeHasNoBlock()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestCode = Usings + """
                class Poller
                {
                    private readonly CancellationTokenSource _cts;
                    public Poller(CancellationToken stopping) => _cts = [|CancellationTokenSource.CreateLinkedTokenSource(stopping)|];
                    public void Stop() => _cts.Cancel();
                }

                sealed class Short : IDisposable
                {
                    private readonly CancellationTokenSource _timeout = [|new CancellationTokenSource(1000)|];
                    private readonly Stream _log = Stream.Null;
                    public void Dispose() => _log.Dispose();
                }

                class Finalized : IDisposable
                {
                    private readonly CancellationTokenSource _timeout = [|new CancellationTokenSource(1000)|];
                    public void Dispose() => Dispose(true);
                    protected virtual void Dispose(bool disposing) { }
                }
                """,
        }.RunAsync();

    /// <summary>
    /// Issue 29, shape 1: a dictionary of per-job sources, from which a source is removed and never disposed. No fix:
    /// whether the removed source may be disposed right there (or a job still uses its token) is the author's call.
    /// </summary>
    [Fact]
    public Task Reports_PerJobSourceRemovedFromItsDictionaryWithoutDisposing_WithoutAFix()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestCode = Usings + """
            using System.Collections.Concurrent;

            sealed class Scheduler
            {
                private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _jobs = new();
                private readonly Dictionary<string, CancellationTokenSource> _named = new();

                public Guid Start(CancellationToken stopping)
                {
                    var id = Guid.NewGuid();
                    var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    _jobs.TryAdd(id, linked);
                    _named["job"] = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                    return id;
                }

                public void Cancel(Guid id)
                {
                    if ({|#0:_jobs.TryRemove(id, out var source)|})
                        source.Cancel();
                }

                public void Forget() => {|#1:_named.Remove("job")|};
            }
            """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic().WithLocation(0).WithMessage("'Scheduler' creates the linked CancellationTokenSource in field '_jobs' and removes one in 'Cancel' without disposing it"),
                Verify.Diagnostic().WithLocation(1).WithMessage("'Scheduler' creates the CancellationTokenSource in field '_named' and removes one in 'Forget' without disposing it"),
            },
        }.RunAsync();

    [Fact]
    public Task NoDiagnostic_PerJobSourcesDisposedHandedOnOrHoldingNothing()
        => Verify.VerifyAnalyzerAsync(Usings + """
            using System.Collections.Concurrent;

            sealed class Scheduler
            {
                private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _jobs = new();
                private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _plain = new();

                public Guid Start(CancellationToken stopping)
                {
                    var id = Guid.NewGuid();
                    _jobs.TryAdd(id, CancellationTokenSource.CreateLinkedTokenSource(stopping));
                    _plain.TryAdd(id, new CancellationTokenSource());
                    return id;
                }

                public void Cancel(Guid id)
                {
                    if (_jobs.TryRemove(id, out var source))
                    {
                        source.Cancel();
                        source.Dispose();
                    }
                    // No timer and no link: nothing to release.
                    _plain.TryRemove(id, out _);
                }

                public CancellationTokenSource? Take(Guid id) => _jobs.TryRemove(id, out var source) ? source : null;

                public void Later(Guid id)
                {
                    if (_jobs.TryRemove(id, out var source))
                        Task.Delay(1000).ContinueWith(_ => source.Dispose());
                }
            }
            """);
}
