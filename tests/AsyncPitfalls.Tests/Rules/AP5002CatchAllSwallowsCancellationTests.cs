using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis.CSharp;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.CatchAllSwallowsCancellationAnalyzer, AsyncPitfalls.Rules.CatchAllSwallowsCancellationCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP5002CatchAllSwallowsCancellationTests
{
    private const string Usings = AP5001SwallowedCancellationTests.Usings;

    [Fact]
    public Task Reports_RetryLoop_AndLogAndCarryOn()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Retry
            {
                public async Task<string> GetWithRetryAsync(HttpClient http, string url, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            return await http.GetStringAsync(url, ct);
                        }
                        {|#0:catch (Exception ex)|} when (attempt < 5)
                        {
                            Console.WriteLine(ex.Message);
                            await Task.Delay(100 * attempt);
                        }
                    }
                }

                public async Task SyncAsync(Func<CancellationToken, Task> sync, CancellationToken ct)
                {
                    try { await sync(ct); }
                    {|#1:catch|} { Console.WriteLine("sync failed"); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'catch (Exception)' also catches the cancellation of the work in this try and the loop goes on; add 'when (ex is not OperationCanceledException)'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("catch", "carries on as if it had failed"));

    [Fact]
    public Task ExceptionHandedToATaskIsQuiet_LoggedAndDroppedIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Request
            {
                private readonly TaskCompletionSource<string> _reply = new();

                // A hand-written (or decompiled) state machine, a request/reply correlator: the awaiter of the
                // task gets the exception, cancellation included.
                public async Task SendAsync(Func<CancellationToken, Task<string>> send, CancellationToken ct)
                {
                    try { _reply.TrySetResult(await send(ct)); }
                    catch (Exception ex) { _reply.TrySetException(ex); }
                }

                public async Task SendAndLogAsync(Func<CancellationToken, Task<string>> send, CancellationToken ct)
                {
                    try { _reply.TrySetResult(await send(ct)); }
                    {|#0:catch (Exception ex)|} { Console.WriteLine(ex.Message); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "carries on as if it had failed"));

    [Fact]
    public Task ExceptionPassedToObserverOrThrownLaterIsQuiet_OneKeptOrRetriedIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Copier
            {
                private Exception? _lastError;

                // Minio's Observable.Create: the subscriber gets the error, cancellation included.
                public async Task ListAsync(Func<CancellationToken, Task<string[]>> list, IObserver<string> observer, CancellationToken ct)
                {
                    try
                    {
                        foreach (var name in await list(ct))
                            observer.OnNext(name);
                        observer.OnCompleted();
                    }
                    catch (Exception error)
                    {
                        observer.OnError(error);
                    }
                }

                // MongoDB's GridFS upload: the read failure is kept until the upload is aborted, then thrown.
                public async Task CopyAsync(Stream source, Func<Task> abort, CancellationToken ct)
                {
                    var buffer = new byte[4096];
                    while (true)
                    {
                        var read = 0;
                        Exception? failure = null;
                        try { read = await source.ReadAsync(buffer, 0, buffer.Length, ct); }
                        catch (Exception ex) { failure = ex; }
                        if (failure != null)
                        {
                            await abort();
                            throw failure;
                        }
                        if (read == 0)
                            return;
                    }
                }

                // A host's shutdown: every service is stopped, and the failures are thrown together at the end.
                public async Task StopAllAsync(IEnumerable<Func<CancellationToken, Task>> services, CancellationToken ct)
                {
                    var errors = new List<Exception>();
                    foreach (var stop in services)
                    {
                        try { await stop(ct); }
                        catch (Exception ex) { errors.Add(ex); }
                    }
                    if (errors.Count > 0)
                        throw new AggregateException(errors);
                }

                // YARP's request body: the outcome, exception included, completes the task the forwarder awaits.
                public async Task SendBodyAsync(Func<CancellationToken, Task> send, TaskCompletionSource<(bool Canceled, Exception? Error)> done, CancellationToken ct)
                {
                    try { await send(ct); }
                    catch (Exception ex)
                    {
                        done.TrySetResult((ex is OperationCanceledException, ex));
                        return;
                    }
                    done.TrySetResult((false, null));
                }

                public async Task SendBodyQuietlyAsync(Func<CancellationToken, Task> send, TaskCompletionSource<bool> done, CancellationToken ct)
                {
                    try { await send(ct); }
                    {|#3:catch (Exception ex)|}
                    {
                        Console.WriteLine(ex);
                        done.TrySetResult(false);
                    }
                }

                public async Task ListQuietlyAsync(Func<CancellationToken, Task<string[]>> list, IObserver<string> observer, CancellationToken ct)
                {
                    try
                    {
                        foreach (var name in await list(ct))
                            observer.OnNext(name);
                    }
                    {|#0:catch (Exception error)|}
                    {
                        Console.WriteLine(error);
                    }
                    observer.OnCompleted();
                }

                // A retry loop that throws the last failure only after every attempt: a cancelled call is retried.
                public async Task<string> FetchAsync(Func<CancellationToken, Task<string>> fetch, CancellationToken ct)
                {
                    Exception? last = null;
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        try { return await fetch(ct); }
                        {|#1:catch (Exception ex)|} { last = ex; }
                    }
                    throw new InvalidOperationException("fetch failed", last);
                }

                public async Task SaveAsync(Func<CancellationToken, Task> save, CancellationToken ct)
                {
                    try { await save(ct); }
                    {|#2:catch (Exception ex)|} { _lastError = ex; }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "carries on as if it had failed"),
            Verify.Diagnostic().WithLocation(1).WithArguments("catch (Exception)", "the loop goes on"),
            Verify.Diagnostic().WithLocation(2).WithArguments("catch (Exception)", "carries on as if it had failed"),
            Verify.Diagnostic().WithLocation(3).WithArguments("catch (Exception)", "carries on as if it had failed"));

    [Fact]
    public Task HandlerEndingInADoesNotReturnHelperIsQuiet_OneEndingInALoggingHelperIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class Throw
            {
                [System.Diagnostics.CodeAnalysis.DoesNotReturn]
                public static void PersistenceFailure(string message, Exception inner) => throw new InvalidOperationException(message, inner);

                public static void Log(string message, Exception inner) => Console.WriteLine(message + inner);
            }

            class Store
            {
                // Quartz: the store's handlers throw through a [DoesNotReturn] helper.
                public async Task CommitAsync(Func<CancellationToken, Task> commit, CancellationToken ct)
                {
                    try { await commit(ct); }
                    catch (Exception ex) { Throw.PersistenceFailure("commit failed", ex); }
                }

                public async Task CommitQuietlyAsync(Func<CancellationToken, Task> commit, CancellationToken ct)
                {
                    try { await commit(ct); }
                    {|#0:catch (Exception ex)|} { Throw.Log("commit failed", ex); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "carries on as if it had failed"));

    [Fact]
    public Task HandlerEndingInAHelperThatAlwaysThrowsIsQuiet_OneThatMayReturnIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class Errors
            {
                // Marten's exception transformer: no [DoesNotReturn], but every path ends in a throw.
                public static void Wrap(Exception inner) => throw new InvalidOperationException("query failed", inner);

                public static void WrapWithCommand(string? command, Exception inner)
                {
                    if (command != null)
                        inner.Data["command"] = command;
                    Wrap(inner);
                }

                public static void Rethrow(Exception inner)
                {
                    if (inner is InvalidOperationException)
                        throw inner;
                    else
                        throw new InvalidOperationException("failed", inner);
                }

                public static void Record(Exception inner)
                {
                    if (inner is TimeoutException)
                        return;
                    throw new InvalidOperationException("failed", inner);
                }

                public static void LogAndThrowIfFatal(Exception inner)
                {
                    if (inner is OutOfMemoryException)
                        throw inner;
                }
            }

            class Queries
            {
                public async Task<int> CountAsync(Func<CancellationToken, Task<int>> count, CancellationToken ct)
                {
                    try { return await count(ct); }
                    catch (Exception ex) { Errors.Rethrow(ex); return 0; }
                }

                public async Task DeleteAsync(Func<CancellationToken, Task> delete, CancellationToken ct)
                {
                    try { await delete(ct); }
                    catch (Exception ex) { Console.WriteLine(ex.Message); Errors.WrapWithCommand("delete", ex); }
                }

                public async Task UpdateAsync(Func<CancellationToken, Task> update, CancellationToken ct)
                {
                    try { await update(ct); }
                    {|#0:catch (Exception ex)|} { Errors.Record(ex); }
                }

                public async Task InsertAsync(Func<CancellationToken, Task> insert, CancellationToken ct)
                {
                    try { await insert(ct); }
                    {|#1:catch (Exception ex)|} { Errors.LogAndThrowIfFatal(ex); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "carries on as if it had failed"),
            Verify.Diagnostic().WithLocation(1).WithArguments("catch (Exception)", "carries on as if it had failed"));

    [Fact]
    public Task TryMethodReturningFailureIsQuiet_ANonTryMethodReturningAValueIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Probe
            {
                // MQTTnet's TryPingAsync: the caller reads the result, so a cancelled ping is not taken for success.
                public async Task<bool> TryPingAsync(Func<CancellationToken, Task> ping, CancellationToken ct)
                {
                    try { await ping(ct); return true; }
                    catch { return false; }
                }

                public async Task<bool> TryPingOnceAsync(Func<CancellationToken, Task> ping, CancellationToken ct)
                {
                    try
                    {
                        await ping(ct);
                        return true;
                    }
                    catch
                    {
                    }
                    return false;
                }

                public async Task TryPingAndForgetAsync(Func<CancellationToken, Task> ping, CancellationToken ct)
                {
                    try { await ping(ct); }
                    {|#1:catch|} { }
                    Console.WriteLine("pinged");
                }

                public async Task<bool> PingAsync(Func<CancellationToken, Task> ping, CancellationToken ct)
                {
                    try { await ping(ct); return true; }
                    {|#0:catch|} { return false; }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch", "carries on as if it had failed"),
            Verify.Diagnostic().WithLocation(1).WithArguments("catch", "carries on as if it had failed"));

    [Fact]
    public Task FilterTestingTheExceptionIsQuiet_FilterLettingCancellationInIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class NotFoundException : Exception { }

            enum Mode { Stop, Continue }

            class Storage
            {
                // Marten's progress queries: the filter looks for a missing table, which a cancellation never is.
                public async Task<long> ReadProgressAsync(Func<CancellationToken, Task<long>> query, CancellationToken ct)
                {
                    try { return await query(ct); }
                    catch (Exception e) when (IsMissingTable(e)) { return 0; }
                }

                public async Task<bool> ExistsAsync(Func<CancellationToken, Task> probe, CancellationToken ct)
                {
                    try { await probe(ct); return true; }
                    catch (Exception ex) when (ex.GetType() == typeof(NotFoundException)) { return false; }
                }

                public async Task<bool> RetryableAsync(Func<CancellationToken, Task> probe, CancellationToken ct)
                {
                    try { await probe(ct); return true; }
                    catch (Exception ex) when (ex is IOException { HResult: 32 } || IsMissingTable(ex) && ct.CanBeCanceled) { return false; }
                }

                // MartenActivator: the filter tests the mode, not the exception, so a cancelled migration is logged and the loop goes on.
                public async Task MigrateAllAsync(Func<CancellationToken, Task>[] migrations, Mode mode, CancellationToken ct)
                {
                    foreach (var migrate in migrations)
                    {
                        try { await migrate(ct); }
                        {|#0:catch (Exception e)|} when (mode == Mode.Continue) { Console.WriteLine(e); }
                    }
                }

                public async Task SaveAsync(Func<CancellationToken, Task> save, CancellationToken ct)
                {
                    try { await save(ct); }
                    {|#1:catch (Exception e)|} when (!IsMissingTable(e)) { Console.WriteLine(e); }
                }

                public async Task WriteAsync(Func<CancellationToken, Task> write, CancellationToken ct)
                {
                    try { await write(ct); }
                    {|#2:catch (Exception e)|} when (e is not IOException || IsMissingTable(e)) { Console.WriteLine(e); }
                }

                private static bool IsMissingTable(Exception e) => e.Message.Contains("42P01");
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "the loop goes on"),
            Verify.Diagnostic().WithLocation(1).WithArguments("catch (Exception)", "carries on as if it had failed"),
            Verify.Diagnostic().WithLocation(2).WithArguments("catch (Exception)", "carries on as if it had failed"));

    [Fact]
    public Task TokenCheckedRightAfterTheHandlerIsQuiet_AnotherTokenOrAFlagIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private readonly CancellationTokenSource _stopping = new();
                private volatile bool _stopped;

                // Refit: the buffering failure is returned, but a cancellation is thrown right after the handler.
                public async Task<Exception?> BufferAsync(Func<CancellationToken, Task> load, CancellationToken ct)
                {
                    Exception? failure = null;
                    try { await load(ct); }
                    catch (Exception ex) { failure = ex; }
                    ct.ThrowIfCancellationRequested();
                    return failure;
                }

                // Rebus, MongoDB: a worker loop that stops on the token its work takes.
                public async Task RunAsync(Func<CancellationToken, Task> receive, CancellationToken ct)
                {
                    while (!ct.IsCancellationRequested)
                    {
                        try { await receive(ct); }
                        catch (Exception ex) { Console.WriteLine(ex); }
                    }
                }

                // Quartz's scheduler thread: the back-off is cut short, and the same source is checked next.
                public async Task LoopAsync(Func<CancellationToken, Task<bool>> fire)
                {
                    while (true)
                    {
                        _stopping.Token.ThrowIfCancellationRequested();
                        if (!await fire(_stopping.Token))
                        {
                            try { await Task.Delay(1000, _stopping.Token); }
                            catch { }
                        }
                    }
                }

                public async Task FireAsync(Func<CancellationToken, Task<bool>> fire, bool backOff)
                {
                    if (backOff)
                    {
                        try { await Task.Delay(1000, _stopping.Token); }
                        catch { }
                    }
                    _stopping.Token.ThrowIfCancellationRequested();
                    await fire(_stopping.Token);
                }

                public async Task RunUntilStoppedAsync(Func<CancellationToken, Task> receive, CancellationToken ct)
                {
                    while (!_stopped)
                    {
                        try { await receive(ct); }
                        {|#0:catch (Exception ex)|} { Console.WriteLine(ex); }
                    }
                }

                public async Task<Exception?> BufferOnStopAsync(Func<CancellationToken, Task> load, CancellationToken ct)
                {
                    Exception? failure = null;
                    try { await load(ct); }
                    {|#1:catch (Exception ex)|} { failure = ex; }
                    _stopping.Token.ThrowIfCancellationRequested();
                    return failure;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "the loop goes on"),
            Verify.Diagnostic().WithLocation(1).WithArguments("catch (Exception)", "carries on as if it had failed"));

    [Fact]
    public Task PrecedingFilteredCatchThrowingTheCancellationIsQuiet_OneThatOnlyLogsItIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Daemons
            {
                // Marten's catch-up: a cancellation of the caller is taken by the first catch and thrown as such.
                public async Task<List<Exception>> CatchUpAsync(Func<CancellationToken, Task>[] daemons, CancellationToken ct)
                {
                    var failures = new List<Exception>();
                    foreach (var catchUp in daemons)
                    {
                        try { await catchUp(ct); }
                        catch (Exception e) when (ct.IsCancellationRequested && IsCancellation(e))
                        {
                            throw new OperationCanceledException(ct);
                        }
                        catch (Exception ex) { failures.Add(ex); }
                    }
                    return failures;
                }

                public async Task<List<Exception>> CatchUpAndLogAsync(Func<CancellationToken, Task>[] daemons, CancellationToken ct)
                {
                    var failures = new List<Exception>();
                    foreach (var catchUp in daemons)
                    {
                        try { await catchUp(ct); }
                        catch (Exception e) when (ct.IsCancellationRequested && IsCancellation(e))
                        {
                            Console.WriteLine("cancelled");
                        }
                        {|#0:catch (Exception ex)|} { failures.Add(ex); }
                    }
                    return failures;
                }

                private static bool IsCancellation(Exception e) => e is OperationCanceledException;
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("catch (Exception)", "the loop goes on"));

    [Fact]
    public Task NoDiagnostic_FilteredPrecededRethrownNoTokenOrEntryPoint()
        => Verify.VerifyAnalyzerAsync(Usings + AP5001SwallowedCancellationTests.Hosting + """
            class Retry : Microsoft.Extensions.Hosting.BackgroundService
            {
                public async Task FilteredAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { Console.WriteLine(ex); }
                }

                public async Task PrecededAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (OperationCanceledException) { throw; }
                    catch (Exception ex) { Console.WriteLine(ex); }
                }

                public async Task RethrowsWhenCancelledAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (Exception) when (!ct.IsCancellationRequested) { Console.WriteLine("failed"); }
                }

                public async Task NoTokenAsync(Func<Task> work)
                {
                    try { await work(); }
                    catch (Exception ex) { Console.WriteLine(ex); }
                }

                public async Task NoneTokenAsync(HttpClient http)
                {
                    try { await http.GetStringAsync("https://example.com", CancellationToken.None); }
                    catch (Exception ex) { Console.WriteLine(ex); }
                }

                public async Task SpecificAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (IOException ex) { Console.WriteLine(ex); }
                }

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    try { await Task.Delay(-1, stoppingToken); }
                    catch (Exception ex) { Console.WriteLine(ex); }
                }
            }
            """);

    [Theory]
    [InlineData("async Task M(Func<CancellationToken, Task> w, CancellationToken ct) { try { await w(ct); } catch (Exception e) when (Missing(e) { } }")]
    [InlineData("async Task M(Func<CancellationToken, Task> w, CancellationToken ct) { try { await w(ct); } catch (Exception e) when (e is Unknown { Code: 1 }) { } }")]
    [InlineData("async Task M(Func<CancellationToken, Task> w, CancellationToken ct) { try { await w(ct); } catch (Exception e) { Fail(e); } } void Fail(Exception e) { if (e is null) throw } void Fail(int x) => throw")]
    [InlineData("async Task M(Func<CancellationToken, Task> w, CancellationToken ct) { try { await w(ct); } catch (Exception e) { Loop(e); } } void Loop(Exception e) { Loop(e); }")]
    [InlineData("async Task M(Func<CancellationToken, Task> w, CancellationToken ct) { Exception f; try { await w(ct); } catch (Exception e) { f = e; errors.Add(e); } throw f }")]
    [InlineData("async Task M(Func<CancellationToken, Task> w, CancellationToken ct) { while (!ct.) { try { await w(ct); } catch { } } missing.ThrowIfCancellationRequested(); }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    private const string RetrySource = """
        class Retry
        {
            public async Task<string> GetAsync(HttpClient http, string url, CancellationToken ct)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync(url, ct);
                    }
                    [|catch (Exception ex)|] when (attempt < 5)
                    {
                        await Task.Delay(100 * attempt);
                    }
                }
            }

            public async Task PingAsync(HttpClient http, CancellationToken ct)
            {
                try { await http.GetStringAsync("https://example.com", ct); }
                [|catch (Exception)|] when (http.Timeout > TimeSpan.Zero) { }
            }

            public async Task SyncAsync(Func<CancellationToken, Task> sync, CancellationToken ct)
            {
                try { await sync(ct); }
                [|catch|] { Console.WriteLine("sync failed"); }
            }
        }
        """;

    // C# 8 and older have no 'not' pattern: 'ex is not OperationCanceledException' did not compile there (CS8370).
    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.CSharp8)]
    public Task Fix_Filter_BelowCSharp9_NegatesAnIsTest(LanguageVersion version)
        => new Verify.Test
        {
            LanguageVersion = version,
            CodeActionEquivalenceKey = "AP5002.Filter",
            TestState = { Sources = { Usings + RetrySource } },
            FixedState =
            {
                Sources =
                {
                    Usings + """
                    class Retry
                    {
                        public async Task<string> GetAsync(HttpClient http, string url, CancellationToken ct)
                        {
                            for (var attempt = 1; ; attempt++)
                            {
                                try
                                {
                                    return await http.GetStringAsync(url, ct);
                                }
                                catch (Exception ex) when (!(ex is OperationCanceledException) && attempt < 5)
                                {
                                    await Task.Delay(100 * attempt);
                                }
                            }
                        }

                        public async Task PingAsync(HttpClient http, CancellationToken ct)
                        {
                            try { await http.GetStringAsync("https://example.com", ct); }
                            catch (Exception ex) when (!(ex is OperationCanceledException) && http.Timeout > TimeSpan.Zero) { }
                        }

                        public async Task SyncAsync(Func<CancellationToken, Task> sync, CancellationToken ct)
                        {
                            try { await sync(ct); }
                            catch (Exception ex) when (!(ex is OperationCanceledException))
                            { Console.WriteLine("sync failed"); }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_Filter_JoinsAnExistingFilter_AndNamesTheException()
        => new Verify.Test
        {
            CodeActionEquivalenceKey = "AP5002.Filter",
            TestState = { Sources = { Usings + RetrySource } },
            FixedState =
            {
                Sources =
                {
                    Usings + """
                    class Retry
                    {
                        public async Task<string> GetAsync(HttpClient http, string url, CancellationToken ct)
                        {
                            for (var attempt = 1; ; attempt++)
                            {
                                try
                                {
                                    return await http.GetStringAsync(url, ct);
                                }
                                catch (Exception ex) when (ex is not OperationCanceledException && attempt < 5)
                                {
                                    await Task.Delay(100 * attempt);
                                }
                            }
                        }

                        public async Task PingAsync(HttpClient http, CancellationToken ct)
                        {
                            try { await http.GetStringAsync("https://example.com", ct); }
                            catch (Exception ex) when (ex is not OperationCanceledException && http.Timeout > TimeSpan.Zero) { }
                        }

                        public async Task SyncAsync(Func<CancellationToken, Task> sync, CancellationToken ct)
                        {
                            try { await sync(ct); }
                            catch (Exception ex) when (ex is not OperationCanceledException)
                            { Console.WriteLine("sync failed"); }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_PrecedingRethrowingCatch()
        => new Verify.Test
        {
            CodeActionEquivalenceKey = "AP5002.PrecedingRethrow",
            TestState = { Sources = { Usings + RetrySource } },
            FixedState =
            {
                Sources =
                {
                    Usings + """
                    class Retry
                    {
                        public async Task<string> GetAsync(HttpClient http, string url, CancellationToken ct)
                        {
                            for (var attempt = 1; ; attempt++)
                            {
                                try
                                {
                                    return await http.GetStringAsync(url, ct);
                                }
                                catch (OperationCanceledException)
                                {
                                    throw;
                                }
                                catch (Exception ex) when (attempt < 5)
                                {
                                    await Task.Delay(100 * attempt);
                                }
                            }
                        }

                        public async Task PingAsync(HttpClient http, CancellationToken ct)
                        {
                            try { await http.GetStringAsync("https://example.com", ct); }
                            catch (OperationCanceledException)
                            {
                                throw;
                            }
                            catch (Exception) when (http.Timeout > TimeSpan.Zero) { }
                        }

                        public async Task SyncAsync(Func<CancellationToken, Task> sync, CancellationToken ct)
                        {
                            try { await sync(ct); }
                            catch (OperationCanceledException)
                            {
                                throw;
                            }
                            catch { Console.WriteLine("sync failed"); }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();
}
