using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.SwallowedCancellationAnalyzer, AsyncPitfalls.Rules.SwallowedCancellationCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP5001SwallowedCancellationTests
{
    internal const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    /// <summary>A stand-in for Microsoft.Extensions.Hosting's BackgroundService.</summary>
    internal const string Hosting = """
        namespace Microsoft.Extensions.Hosting
        {
            public abstract class BackgroundService
            {
                protected abstract Task ExecuteAsync(CancellationToken stoppingToken);
            }
        }

        """;

    [Fact]
    public Task Reports_LoopGoesOn_CodeAfter_TokenAcceptingMethod()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task PollAsync(Func<CancellationToken, Task> step, CancellationToken ct)
                {
                    while (true)
                    {
                        try { await step(ct); }
                        {|#0:catch (OperationCanceledException)|} { }
                    }
                }

                public async Task SaveAsync(Func<Task> save)
                {
                    try { await save(); }
                    {|#1:catch (TaskCanceledException)|} { Console.WriteLine("cancelled"); }
                    Console.WriteLine("saved");
                }

                public async Task<int> CountAsync(Func<CancellationToken, Task<int>> count, CancellationToken cancellationToken)
                {
                    try { return await count(cancellationToken); }
                    {|#2:catch (OperationCanceledException ex)|} { Console.WriteLine(ex.Message); return 0; }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'catch (OperationCanceledException)' swallows the cancellation and the loop goes on; rethrow it with 'throw;'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("TaskCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(2).WithArguments("OperationCanceledException", "'CountAsync' returns as if it had completed"));

    [Fact]
    public Task CancellationHandedToATaskIsQuiet_KeptInAFlagIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Pump
            {
                private readonly TaskCompletionSource<int> _done = new();
                private bool _cancelled;

                // NATS, AsyncEx: whoever awaits _done.Task sees the cancellation.
                public async Task RunAsync(Func<CancellationToken, Task<int>> read, CancellationToken ct)
                {
                    try { _done.TrySetResult(await read(ct)); }
                    catch (OperationCanceledException) { _done.TrySetCanceled(ct); }
                }

                public async Task RunAndRememberAsync(Func<CancellationToken, Task<int>> read, CancellationToken ct)
                {
                    try { await read(ct); }
                    {|#0:catch (OperationCanceledException)|} { _cancelled = true; }
                    Console.WriteLine(_cancelled);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the code after it runs"));

    [Fact]
    public Task NoDiagnostic_EntryPoints_AndTheEndOfAMethodWithoutToken()
        => Verify.VerifyAnalyzerAsync(Usings + Hosting + """
            class Worker : Microsoft.Extensions.Hosting.BackgroundService
            {
                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    try
                    {
                        while (true)
                            await Task.Delay(1000, stoppingToken);
                    }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("stopped");
                }

                public static async Task Main()
                {
                    using var cts = new CancellationTokenSource();
                    try { await Task.Delay(-1, cts.Token); }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("bye");
                }

                public async void OnStop(object sender, EventArgs e)
                {
                    try { await Task.Delay(10); }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("stopped");
                }

                public async Task DrainAsync(Func<Task> drain)
                {
                    try { await drain(); }
                    catch (OperationCanceledException) { }
                }
            }
            class ShutdownLoop : Microsoft.Extensions.Hosting.BackgroundService
            {
                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        try { await Task.Delay(1000, stoppingToken); }
                        catch (OperationCanceledException) { }
                    }
                }
            }
            """);

    [Fact]
    public Task TryMethodReturningFailure_IsQuiet_OtherReturnsAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Queue
            {
                private readonly SemaphoreSlim _signal = new(0);

                public async Task<bool> TryWaitAsync(CancellationToken ct)
                {
                    try { await _signal.WaitAsync(ct); return true; }
                    catch (OperationCanceledException) { return false; }
                }

                public async ValueTask<(bool Success, int Item)> TryTakeAsync(CancellationToken ct)
                {
                    try { await _signal.WaitAsync(ct); return (true, 1); }
                    catch (OperationCanceledException) { return default; }
                }

                public async Task<bool> TryhardAsync(CancellationToken ct)
                {
                    try { await _signal.WaitAsync(ct); return true; }
                    {|#0:catch (OperationCanceledException)|} { return false; }
                }

                public async Task TryFlushAsync(CancellationToken ct)
                {
                    try { await _signal.WaitAsync(ct); }
                    {|#1:catch (OperationCanceledException)|} { }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "'TryhardAsync' returns as if it had completed"),
            Verify.Diagnostic().WithLocation(1).WithArguments("OperationCanceledException", "'TryFlushAsync' returns as if it had completed"));

    [Fact]
    public Task NoDiagnostic_RethrowConvertOrFilterOnAnotherToken()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                public async Task<string> GetAsync(HttpClient http, string url, CancellationToken ct)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    try
                    {
                        return await http.GetStringAsync(url, timeout.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        return "timed out";
                    }
                }

                public async Task<string> FilteredOnTheSourceAsync(HttpClient http, string url, CancellationToken ct)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    try { return await http.GetStringAsync(url, timeout.Token); }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested) { return "timed out"; }
                }

                public async Task RetryAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    for (var i = 0; i < 3; i++)
                    {
                        try { await work(ct); return; }
                        catch (TaskCanceledException e) { throw new TimeoutException("slow", e); }
                        catch (OperationCanceledException) { throw; }
                    }
                }

                public async Task CheckedAsync(Func<Task> work, CancellationToken ct)
                {
                    while (true)
                    {
                        try { await work(); }
                        catch (OperationCanceledException) { ct.ThrowIfCancellationRequested(); }
                    }
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_WhenTheMethodCancelsItsOwnOrItsObjectsTokenSource_Reports_WhenLinkedOrTakingAToken()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Harness
            {
                public async Task<TimeSpan> MeasureStopAsync(Func<CancellationToken, Task> worker)
                {
                    using var stop = new CancellationTokenSource();
                    var running = worker(stop.Token);
                    stop.Cancel();
                    try { await running; }
                    catch (OperationCanceledException) { }
                    return TimeSpan.Zero;
                }

                public async Task<string> LinkedAsync(Func<CancellationToken, Task<string>> work, CancellationToken outside)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(outside);
                    linked.CancelAfter(100);
                    try { return await work(linked.Token); }
                    {|#0:catch (OperationCanceledException)|} { }
                    return "fallback";
                }
            }

            class Worker : IAsyncDisposable
            {
                private readonly CancellationTokenSource _stopping = new();
                private Task? _loop;

                public void Start(Func<CancellationToken, Task> run) => _loop = run(_stopping.Token);

                public async ValueTask DisposeAsync()
                {
                    _stopping.Cancel();
                    try { await _loop!; }
                    catch (OperationCanceledException) { }
                    _stopping.Dispose();
                }

                public async Task StopAsync(CancellationToken ct)
                {
                    _stopping.Cancel();
                    try { await _loop!.WaitAsync(ct); }
                    {|#1:catch (OperationCanceledException)|} { }
                    Console.WriteLine("stopped");
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(1).WithArguments("OperationCanceledException", "the code after it runs"));

    [Fact]
    public Task Reports_FilterOnTheOwnTokenOnly()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    [|catch (OperationCanceledException)|] when (ct.IsCancellationRequested) { }
                    Console.WriteLine("done");
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_HandlerFallsThroughToAThrow_Reports_WhenTheThrowIsConditional()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Retrier
            {
                // MassTransit's retry: a cancelled retry falls through to the rethrow of the original failure.
                public async Task RetryAsync(Func<Task> attempt, Func<Exception, bool> canRetry, CancellationToken ct)
                {
                    try { await attempt(); }
                    catch (Exception e)
                    {
                        if (canRetry(e))
                        {
                            try { await attempt(); return; }
                            catch (OperationCanceledException ex) when (ex.CancellationToken == ct) { }
                            throw;
                        }
                        throw;
                    }
                }

                public async Task RetryOnceAsync(Func<Task> attempt, Func<Exception, bool> canRetry, CancellationToken ct)
                {
                    try { await attempt(); }
                    catch (Exception e)
                    {
                        try { await attempt(); return; }
                        {|#0:catch (OperationCanceledException ex)|} when (ex.CancellationToken == ct) { }
                        if (canRetry(e))
                            throw;
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the code after it runs"));

    [Fact]
    public Task NoDiagnostic_ReturnInsideATryFinallyOfTheHandler_Reports_WhenTheNestedTryFallsThrough()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Reconnector
            {
                private readonly SemaphoreSlim _lock = new(1);
                private readonly CancellationTokenSource _stop = new();
                public string State = "";

                // SignalR's reconnect: under the connection lock the handler closes the connection and returns.
                public async Task ReconnectAsync(Func<Task> connect)
                {
                    while (true)
                    {
                        try { await Task.Delay(1000, _stop.Token); }
                        catch (OperationCanceledException)
                        {
                            await _lock.WaitAsync();
                            try
                            {
                                State = "Disconnected";
                                return;
                            }
                            finally { _lock.Release(); }
                        }
                        await connect();
                    }
                }

                public async Task RetryAsync(Func<Task> connect)
                {
                    while (true)
                    {
                        try { await Task.Delay(1000, _stop.Token); }
                        {|#0:catch (OperationCanceledException)|}
                        {
                            await _lock.WaitAsync();
                            try { State = "Retrying"; }
                            finally { _lock.Release(); }
                        }
                        await connect();
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the loop goes on"));

    [Fact]
    public Task NoDiagnostic_BackgroundLoopsEndingOnTheirOwnersStopSignal()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Scheduler : IDisposable
            {
                private readonly CancellationTokenSource _stopping = new();
                private readonly CancellationToken _stoppingToken;
                private readonly Channel _queue = new();
                private Task? _sender;

                public Scheduler() => _stoppingToken = _stopping.Token;

                // Akka's timer loop: started by the type, fire-and-forget, with the token of its own source.
                public void Start()
                {
                    Task.Run(() => TickAsync(_stopping.Token));
                    _sender = Task.Run(SendLoopAsync);
                    new Thread(ReadLoop) { IsBackground = true }.Start();
                    StartPing(_stopping.Token);
                    Task.Run(() => FlushAsync(_stopping.Token)).Forget();
                    _ = Task.Run(async () =>
                    {
                        try { await Task.Delay(-1, _stopping.Token); }
                        catch (OperationCanceledException) { }
                        Console.WriteLine("watchdog stopped");
                    });
                }

                private async Task TickAsync(CancellationToken token)
                {
                    try
                    {
                        while (true)
                            await Task.Delay(100, token);
                    }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("timer stopped");
                }

                private async Task SendLoopAsync()
                {
                    while (true)
                    {
                        try { await _queue.WaitAsync(_stoppingToken); }
                        catch (OperationCanceledException) { break; }
                    }
                    Console.WriteLine("sender stopped");
                }

                private void ReadLoop()
                {
                    try { _queue.Wait(_stopping.Token); }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("reader stopped");
                }

                private async Task FlushAsync(CancellationToken token)
                {
                    try { await Task.Delay(1000, token); }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("flusher stopped");
                }

                private async void StartPing(CancellationToken token)
                {
                    try { await Task.Delay(1000, token); }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("ping stopped");
                }

                public void Dispose() => _stopping.Cancel();
            }

            // MQTTnet's client: the alive source is replaced on each connect and cleared on close.
            class Client
            {
                private CancellationTokenSource? _alive;
                private Task? _receiver;

                public void Connect()
                {
                    _alive = new CancellationTokenSource();
                    var token = _alive.Token;
                    _receiver = Task.Run(() => ReceiveAsync(token), token);
                }

                public void Close()
                {
                    _alive?.Cancel();
                    _alive = null;
                }

                private async Task ReceiveAsync(CancellationToken ct)
                {
                    while (!ct.IsCancellationRequested)
                    {
                        try { await Task.Delay(10, ct); }
                        catch (OperationCanceledException) { }
                    }
                }
            }

            static class TaskExtensions
            {
                public static void Forget(this Task task) { }
            }

            class Channel
            {
                public Task WaitAsync(CancellationToken ct) => Task.Delay(10, ct);
                public void Wait(CancellationToken ct) => ct.WaitHandle.WaitOne();
            }
            """);

    [Fact]
    public Task Reports_LoopsAwaitedByCallers_OrStoppedByTheCallersToken()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Scheduler : IDisposable
            {
                private readonly CancellationTokenSource _stopping = new();

                public void Start(CancellationToken ct)
                {
                    // The caller's token, not the type's own source.
                    Task.Run(() => TickAsync(ct));
                }

                public async Task RunOnceAsync()
                {
                    // Awaited: this caller is told the work completed.
                    await SendLoopAsync();
                    var forked = Task.Run(() => TickAsync(_stopping.Token));
                    await forked;
                }

                private async Task TickAsync(CancellationToken token)
                {
                    try { await Task.Delay(100, token); }
                    {|#0:catch (OperationCanceledException)|} { }
                    Console.WriteLine("timer stopped");
                }

                private async Task SendLoopAsync()
                {
                    try { await Task.Delay(100, _stopping.Token); }
                    {|#1:catch (OperationCanceledException)|} { }
                    Console.WriteLine("sender stopped");
                }

                // Collected with the other loops, which a caller awaits together.
                private readonly List<Task> _running = new();

                public void StartAll() => _running.Add(Task.Run(() => DrainAsync(_stopping.Token)));

                public Task WhenStoppedAsync() => Task.WhenAll(_running);

                private async Task DrainAsync(CancellationToken token)
                {
                    try { await Task.Delay(100, token); }
                    {|#3:catch (OperationCanceledException)|} { }
                    Console.WriteLine("drained");
                }

                // Public: any caller may await it.
                public async Task PumpAsync()
                {
                    Task.Run(PumpAsync);
                    try { await Task.Delay(100, _stopping.Token); }
                    {|#2:catch (OperationCanceledException)|} { }
                    Console.WriteLine("pump stopped");
                }

                public void Dispose() => _stopping.Cancel();
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(1).WithArguments("OperationCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(2).WithArguments("OperationCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(3).WithArguments("OperationCanceledException", "the code after it runs"));

    [Fact]
    public Task NoDiagnostic_TheMethodsOwnTimeout_Reports_WhenTheCallersTokenIsAlsoRead()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class DelayQueue
            {
                private readonly Func<CancellationToken, Task> _waitForDue = _ => Task.CompletedTask;

                // MassTransit's delay reader: a local timeout source is the wake-up timer of the loop.
                public async Task ReadAsync(TimeSpan interval)
                {
                    while (true)
                    {
                        using var timeout = new CancellationTokenSource(interval);
                        try { await _waitForDue(timeout.Token); }
                        catch (OperationCanceledException) { }
                        Console.WriteLine("fire due items");
                    }
                }

                public async Task PumpAsync(Func<TimeSpan?> nextDue)
                {
                    while (true)
                    {
                        var token = CancellationToken.None;
                        CancellationTokenSource? timeout = null;
                        var due = nextDue();
                        if (due.HasValue)
                        {
                            timeout = new CancellationTokenSource(due.Value);
                            token = timeout.Token;
                        }
                        try { await _waitForDue(token); }
                        catch (OperationCanceledException) { }
                        finally { timeout?.Dispose(); }
                        Console.WriteLine("fire due items");
                    }
                }

                public async Task PumpUntilAsync(Func<TimeSpan?> nextDue, CancellationToken ct)
                {
                    while (true)
                    {
                        var token = ct;
                        var due = nextDue();
                        if (due.HasValue)
                        {
                            var timeout = new CancellationTokenSource(due.Value);
                            token = timeout.Token;
                        }
                        try { await _waitForDue(token); }
                        {|#1:catch (OperationCanceledException)|} { }
                        Console.WriteLine("fire due items");
                    }
                }

                public async Task<bool> PingAsync(Func<CancellationToken, Task> ping)
                {
                    var budget = new CancellationTokenSource();
                    budget.CancelAfter(500);
                    try { await ping(budget.Token); return true; }
                    catch (OperationCanceledException) { }
                    return false;
                }

                public async Task<bool> PingOrCancelAsync(Func<CancellationToken, Task> ping, CancellationToken ct)
                {
                    using var timeout = new CancellationTokenSource(500);
                    try
                    {
                        await ping(timeout.Token);
                        await ping(ct);
                        return true;
                    }
                    {|#0:catch (OperationCanceledException)|} { }
                    return false;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(1).WithArguments("OperationCanceledException", "the loop goes on"));

    [Fact]
    public Task NoDiagnostic_DisposeAndHostedStopGiveUpTheirGracefulWait_Reports_LookAlikesThatImplementNeither()
        => Verify.VerifyAnalyzerAsync(Usings + """
            namespace Microsoft.Extensions.Hosting
            {
                public interface IHostedService
                {
                    Task StartAsync(CancellationToken cancellationToken);
                    Task StopAsync(CancellationToken cancellationToken);
                }
            }

            // Marten's event graph: the pending work is drained best-effort, then the store is disposed.
            class Store : IAsyncDisposable, IDisposable
            {
                private readonly Func<Task> _drain = () => Task.CompletedTask;

                public async ValueTask DisposeAsync()
                {
                    try { await _drain(); }
                    catch (OperationCanceledException) { }
                    Dispose();
                }

                public void Dispose() { }
            }

            class Pump : Microsoft.Extensions.Hosting.IHostedService
            {
                private Task _loop = Task.CompletedTask;

                public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

                // The host's token says the stop is no longer graceful: stop waiting and force it.
                public async Task StopAsync(CancellationToken cancellationToken)
                {
                    try { await _loop.WaitAsync(cancellationToken); }
                    catch (OperationCanceledException) { }
                    Console.WriteLine("forced");
                }
            }

            class Connection
            {
                private readonly Func<Task> _drain = () => Task.CompletedTask;

                public async ValueTask DisposeAsync()
                {
                    try { await _drain(); }
                    {|#0:catch (OperationCanceledException)|} { }
                    Console.WriteLine("closed");
                }

                public async Task StopAsync(CancellationToken cancellationToken)
                {
                    try { await _drain().WaitAsync(cancellationToken); }
                    {|#1:catch (OperationCanceledException)|} { }
                    Console.WriteLine("stopped");
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OperationCanceledException", "the code after it runs"),
            Verify.Diagnostic().WithLocation(1).WithArguments("OperationCanceledException", "the code after it runs"));

    [Theory]
    [InlineData("async Task M() { try { } catch (OperationCanceledException) { ")]
    [InlineData("async Task M() { try { await Task.Yield(); } catch (Missing) { } }")]
    [InlineData("void M() { try { } catch ( { } }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    [Fact]
    public Task Fix_AppendsThrow_OrReplacesTheTrailingReturn()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task PollAsync(Func<CancellationToken, Task> step, CancellationToken ct)
                {
                    while (true)
                    {
                        try { await step(ct); }
                        [|catch (OperationCanceledException)|] { Console.WriteLine("cancelled"); }
                    }
                }

                public async Task<int> CountAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        return await count(ct);
                    }
                    [|catch (OperationCanceledException)|]
                    {
                        Console.WriteLine("cancelled");
                        return 0;
                    }
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task PollAsync(Func<CancellationToken, Task> step, CancellationToken ct)
                {
                    while (true)
                    {
                        try { await step(ct); }
                        catch (OperationCanceledException)
                        {
                            Console.WriteLine("cancelled");
                            throw;
                        }
                    }
                }

                public async Task<int> CountAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        return await count(ct);
                    }
                    catch (OperationCanceledException)
                    {
                        Console.WriteLine("cancelled");
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_RemovesAHandlerThatWouldOnlyRethrow_UnwrappingATryLeftWithNothing()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task<int> CountAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    Console.WriteLine("start");
                    try
                    {
                        return await count(ct);
                    }
                    [|catch (OperationCanceledException)|]
                    {
                        return 0;
                    }
                }

                public async Task<int> OthersAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        return await count(ct);
                    }
                    catch (InvalidOperationException)
                    {
                        return -1;
                    }
                    [|catch (OperationCanceledException)|]
                    {
                        return 0;
                    }
                }

                public async Task StepAsync(Func<CancellationToken, Task> step, CancellationToken ct)
                {
                    try
                    {
                        await step(ct);
                    }
                    [|catch (OperationCanceledException)|]
                    {
                    }
                    finally
                    {
                        Console.WriteLine("done");
                    }
                }

                public async Task<int> ScopedAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        var n = await count(ct);
                        Console.WriteLine(n);
                    }
                    [|catch (OperationCanceledException)|]
                    {
                    }
                    var n2 = 1;
                    return n2;
                }

                public async Task<int> BeforeGeneralAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        return await count(ct);
                    }
                    [|catch (OperationCanceledException)|]
                    {
                        return 0;
                    }
                    catch (Exception)
                    {
                        return -1;
                    }
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task<int> CountAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    Console.WriteLine("start");
                    return await count(ct);
                }

                public async Task<int> OthersAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        return await count(ct);
                    }
                    catch (InvalidOperationException)
                    {
                        return -1;
                    }
                }

                public async Task StepAsync(Func<CancellationToken, Task> step, CancellationToken ct)
                {
                    try
                    {
                        await step(ct);
                    }
                    finally
                    {
                        Console.WriteLine("done");
                    }
                }

                public async Task<int> ScopedAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    {
                        var n = await count(ct);
                        Console.WriteLine(n);
                    }
                    var n2 = 1;
                    return n2;
                }

                public async Task<int> BeforeGeneralAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try
                    {
                        return await count(ct);
                    }
                    catch (OperationCanceledException)
                    {
                        throw;
                    }
                    catch (Exception)
                    {
                        return -1;
                    }
                }
            }
            """);
}
