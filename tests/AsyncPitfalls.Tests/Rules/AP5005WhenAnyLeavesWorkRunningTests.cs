using System.Linq;
using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.WhenAnyLeavesWorkRunningAnalyzer, AsyncPitfalls.Rules.WhenAnyLeavesWorkRunningCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP5005WhenAnyLeavesWorkRunningTests
{
    private const string Usings = AP5001SwallowedCancellationTests.Usings;

    [Fact]
    public Task Reports_TimeoutShape_AndFirstWinsShape()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                public async Task<string> GetAsync(Task<string> download)
                {
                    if (await {|#0:Task.WhenAny(download, Task.Delay(1000))|} != download)
                        throw new TimeoutException();
                    return await download;
                }

                public async Task<string> FastestAsync(Task<string> primary, Task<string> mirror)
                {
                    var first = await {|#1:Task.WhenAny(primary, mirror)|};
                    return await first;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("Task.WhenAny with Task.Delay as a timeout leaves 'download' running when the delay wins; give it a token and cancel that token when the delay wins"),
            Verify.Diagnostic().WithLocation(1).WithMessage("Task.WhenAny returns at the first completed task and leaves the others running unobserved; cancel them or await them"));

    [Fact]
    public Task NoDiagnostic_CancelledAwaitedOrCompletionOrder()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                public async Task<string> CancelsAsync(Func<CancellationToken, Task<string>> download)
                {
                    using var cts = new CancellationTokenSource();
                    var work = download(cts.Token);
                    var winner = await Task.WhenAny(work, Task.Delay(1000));
                    if (winner != work)
                    {
                        cts.Cancel();
                        throw new TimeoutException();
                    }
                    return await work;
                }

                public async Task<string> AwaitsTheRestAsync(Task<string> primary, Task<string> mirror)
                {
                    var first = await Task.WhenAny(primary, mirror);
                    await Task.WhenAll(primary, mirror);
                    return await first;
                }

                public async Task<int> CompletionOrderAsync(List<Task<int>> tasks)
                {
                    var sum = 0;
                    while (tasks.Count > 0)
                    {
                        var done = await Task.WhenAny(tasks);
                        tasks.Remove(done);
                        sum += await done;
                    }
                    return sum;
                }
            }
            """);

    // ---- Read loops with an idle timeout (issue 29) ----

    private const string ReadLoopUsings = Usings + """
        using System.Net.Sockets;
        using System.Threading.Channels;

        """;

    [Fact]
    public Task Reports_IdleTimeoutInAReadLoop_ThatAbandonsTheRead()
        => new Verify.Test
        {
            TestCode = ReadLoopUsings + """
                class Connection
                {
                    private readonly Socket _socket;
                    private readonly Channel<string> _inbox = Channel.CreateUnbounded<string>();

                    public Connection(Socket socket) => _socket = socket;

                    public async Task PumpAsync(Stream stream, Action<byte[], int> onData)
                    {
                        var buffer = new byte[4096];
                        while (true)
                        {
                            var read = stream.ReadAsync(buffer, 0, buffer.Length);
                            if (await {|#0:Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30)))|} != read)
                                break;
                            var count = await read;
                            if (count == 0)
                                return;
                            onData(buffer, count);
                        }
                    }

                    public async Task ReadLinesAsync(StreamReader reader, Action<string?> onLine, Action onIdle)
                    {
                        while (true)
                        {
                            var line = reader.ReadLineAsync();
                            var winner = await {|#1:Task.WhenAny(line, Task.Delay(5000))|}.ConfigureAwait(false);
                            if (winner != line)
                            {
                                onIdle();
                                continue;
                            }
                            onLine(await line.ConfigureAwait(false));
                        }
                    }

                    public async Task DrainAsync(Action<string> handle, CancellationToken ct)
                    {
                        while (!ct.IsCancellationRequested)
                        {
                            var next = _inbox.Reader.ReadAsync(ct).AsTask();
                            if (await {|#2:Task.WhenAny(next, Task.Delay(1000, ct))|} == next)
                                handle(await next);
                        }
                    }

                    public async Task<int> ReceiveAsync(ArraySegment<byte> buffer, TimeSpan idle)
                    {
                        var total = 0;
                        for (var i = 0; i < 10; i++)
                        {
                            var idleDelay = Task.Delay(idle);
                            var receive = _socket.ReceiveAsync(buffer, SocketFlags.None);
                            if (await {|#3:Task.WhenAny(receive, idleDelay)|} == idleDelay)
                                throw new TimeoutException("the peer went quiet");
                            total += await receive;
                        }
                        return total;
                    }

                    public async Task WaitForWorkAsync(Action flush)
                    {
                        var idle = Task.Delay(250);
                        while (true)
                        {
                            if (await {|#4:Task.WhenAny(_inbox.Reader.WaitToReadAsync().AsTask(), idle)|} == idle)
                                return;
                            flush();
                        }
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic().WithLocation(0).WithMessage("Task.WhenAny with Task.Delay as an idle timeout abandons the read 'read' (Stream.ReadAsync) when the delay wins and the loop leaves it pending: it can still take data that nobody receives; pass the read a token and cancel it when the delay wins, or keep the pending read for the next iteration"),
                Verify.Diagnostic().WithLocation(1).WithMessage("Task.WhenAny with Task.Delay as an idle timeout abandons the read 'line' (StreamReader.ReadLineAsync) when the delay wins and the loop reads again while it is still pending: it can still take data that nobody receives; pass the read a token and cancel it when the delay wins, or keep the pending read for the next iteration"),
                Verify.Diagnostic().WithLocation(2).WithMessage("Task.WhenAny with Task.Delay as an idle timeout abandons the read 'next' (ChannelReader.ReadAsync) when the delay wins and the loop reads again while it is still pending: it can still take data that nobody receives; pass the read a token and cancel it when the delay wins, or keep the pending read for the next iteration"),
                Verify.Diagnostic().WithLocation(3).WithMessage("Task.WhenAny with Task.Delay as an idle timeout abandons the read 'receive' (Socket.ReceiveAsync) when the delay wins and the loop leaves it pending: it can still take data that nobody receives; pass the read a token and cancel it when the delay wins, or keep the pending read for the next iteration"),
                Verify.Diagnostic().WithLocation(4).WithMessage("Task.WhenAny with Task.Delay as an idle timeout abandons the read 'ChannelReader.WaitToReadAsync' when the delay wins and the loop leaves it pending: it can still take data that nobody receives; pass the read a token and cancel it when the delay wins, or keep the pending read for the next iteration"),
            },
            // Which token to cancel, and whether the loop may go on after it, is the loop's design: no fix is offered.
            ExpectNoFix = true,
        }.RunAsync();

    /// <summary>
    /// The correct read loops: the read's token is cancelled when the delay wins (or a CancelAfter timeout
    /// replaces the race), the pending read is kept and raced again in the next iteration, the loop leaves
    /// and closes what it reads from, the delay's branch still awaits the read; and races in loops that are
    /// not reads (a retry of other work, completion order).
    /// </summary>
    [Fact]
    public Task NoDiagnostic_ReadLoopsThatCancelKeepOrCloseTheRead()
        => Verify.VerifyAnalyzerAsync(ReadLoopUsings + """
            class Connection
            {
                private readonly Channel<string> _inbox = Channel.CreateUnbounded<string>();
                private Task<int>? _pending;

                public async Task CancelsTheReadAsync(Stream stream, CancellationToken ct)
                {
                    var buffer = new byte[4096];
                    while (true)
                    {
                        using var readCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        var read = stream.ReadAsync(buffer, 0, buffer.Length, readCancellation.Token);
                        if (await Task.WhenAny(read, Task.Delay(30000, ct)) != read)
                        {
                            readCancellation.Cancel();
                            break;
                        }
                        if (await read == 0)
                            return;
                    }
                }

                public async Task CancelAfterAsync(Stream stream, CancellationToken ct)
                {
                    var buffer = new byte[4096];
                    while (true)
                    {
                        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        idle.CancelAfter(30000);
                        if (await stream.ReadAsync(buffer, 0, buffer.Length, idle.Token) == 0)
                            return;
                    }
                }

                public async Task KeepsThePendingReadAsync(Stream stream, Func<Task> sendKeepAlive)
                {
                    var buffer = new byte[4096];
                    Task<int>? read = null;
                    while (true)
                    {
                        read ??= stream.ReadAsync(buffer, 0, buffer.Length);
                        if (await Task.WhenAny(read, Task.Delay(15000)) != read)
                        {
                            await sendKeepAlive();
                            continue;
                        }
                        if (await read == 0)
                            return;
                        read = null;
                    }
                }

                public async Task ClosesTheConnectionAsync(TcpClient client)
                {
                    using var stream = client.GetStream();
                    var buffer = new byte[4096];
                    while (true)
                    {
                        var read = stream.ReadAsync(buffer, 0, buffer.Length);
                        if (await Task.WhenAny(read, Task.Delay(30000)) != read)
                            return;
                        if (await read == 0)
                            return;
                    }
                }

                public async Task DisposesInTheBranchAsync(Stream stream)
                {
                    var buffer = new byte[4096];
                    while (true)
                    {
                        var read = stream.ReadAsync(buffer, 0, buffer.Length);
                        if (await Task.WhenAny(read, Task.Delay(30000)) != read)
                        {
                            stream.Dispose();
                            break;
                        }
                        await read;
                    }
                }

                public async Task ClosesAfterTheLoopAsync(Socket socket, ArraySegment<byte> buffer)
                {
                    while (true)
                    {
                        var receive = socket.ReceiveAsync(buffer, SocketFlags.None);
                        if (await Task.WhenAny(receive, Task.Delay(30000)) != receive)
                            break;
                        await receive;
                    }
                    socket.Close();
                }

                public async Task LogsASlowReadAndWaitsOnAsync(StreamReader reader, Action<string?> onLine)
                {
                    while (true)
                    {
                        var line = reader.ReadLineAsync();
                        var delay = Task.Delay(5000);
                        if (await Task.WhenAny(line, delay) == delay)
                            Console.WriteLine("slow peer");
                        onLine(await line);
                    }
                }

                public async Task HandsThePendingReadOnAsync(Stream stream, byte[] buffer)
                {
                    while (true)
                    {
                        var read = stream.ReadAsync(buffer, 0, buffer.Length);
                        _pending = read;
                        if (await Task.WhenAny(read, Task.Delay(5000)) != read)
                            break;
                    }
                }

                public async Task RetriesOtherWorkAsync(Func<Task<string>> load)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        var work = load();
                        if (await Task.WhenAny(work, Task.Delay(1000)) != work)
                            continue;
                        Console.WriteLine(await work);
                        return;
                    }
                }
            }
            """);

    [Theory]
    [InlineData("while (true) { var read = stream.ReadAsync(; if (await Task.WhenAny(read, Task.Delay(1000)) != read) break; }")]
    [InlineData("while (true) { var read = stream.ReadAsync(new byte[1], 0, 1); if (await Task.WhenAny(read, Task.Delay()) != ) break; }")]
    [InlineData("while (true) { var winner = await Task.WhenAny(stream.ReadAsync(new byte[1], 0, 1), idle); if (winner == idle) continue }")]
    [InlineData("for (;;) { Task<int> read; if (await Task.WhenAny(read, Task.Delay(1000)) != read) throw; }")]
    public Task NoCrash_OnHalfTypedReadLoops(string body)
        => Verify.VerifyNoCrashAsync(Usings + "class Client { public async Task M(Stream stream) { " + body + " } }");

    /// <summary>A repository whose calls take an optional token, one overload with a trailing token, and one call that takes none.</summary>
    private const string Repository = """
        class Repository
        {
            public Task<string> LoadAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(id);
            public Task<int> CountAsync() => Task.FromResult(0);
            public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(0);
            public Task<string> ExportAsync(string id) => Task.FromResult(id);
        }

        """;

    [Fact]
    public Task Fix_CancelsTheWorkWhenTheTimeoutWins_ThroughATokenLinkedToTheCallers()
        => Verify.VerifyCodeFixAsync(Usings + Repository + """
            class Client
            {
                public async Task<string> GetAsync(Repository repository, CancellationToken ct)
                {
                    var work = repository.LoadAsync("a");
                    if (await [|Task.WhenAny(work, Task.Delay(1000, ct))|] != work)
                        throw new TimeoutException("too slow");
                    return await work;
                }
            }
            """, Usings + Repository + """
            class Client
            {
                public async Task<string> GetAsync(Repository repository, CancellationToken ct)
                {
                    using var workCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var work = repository.LoadAsync("a", workCancellation.Token);
                    if (await Task.WhenAny(work, Task.Delay(1000, ct)) != work)
                    {
                        workCancellation.Cancel();
                        throw new TimeoutException("too slow");
                    }
                    return await work;
                }
            }
            """);

    [Fact]
    public Task Fix_KeepsTheFallbackValue_AndUsesTheOverloadThatTakesAToken()
        => Verify.VerifyCodeFixAsync(Usings + Repository + """
            class Client
            {
                public async Task<int> CountOrZeroAsync(Repository repository)
                {
                    var count = repository.CountAsync();
                    if (await [|Task.WhenAny(count, Task.Delay(TimeSpan.FromSeconds(2)))|].ConfigureAwait(false) != count)
                    {
                        return 0;
                    }
                    return await count.ConfigureAwait(false);
                }

                public async Task<string> DownloadOrEmptyAsync(HttpClient http, string url)
                {
                    var download = http.GetStringAsync(url);
                    if (await [|Task.WhenAny(Task.Delay(500), download)|].ConfigureAwait(false) != download)
                        return "";
                    return await download.ConfigureAwait(false);
                }
            }
            """, Usings + Repository + """
            class Client
            {
                public async Task<int> CountOrZeroAsync(Repository repository)
                {
                    using var countCancellation = new CancellationTokenSource();
                    var count = repository.CountAsync(countCancellation.Token);
                    if (await Task.WhenAny(count, Task.Delay(TimeSpan.FromSeconds(2), countCancellation.Token)).ConfigureAwait(false) != count)
                    {
                        countCancellation.Cancel();
                        return 0;
                    }
                    return await count.ConfigureAwait(false);
                }

                public async Task<string> DownloadOrEmptyAsync(HttpClient http, string url)
                {
                    using var downloadCancellation = new CancellationTokenSource();
                    var download = http.GetStringAsync(url, downloadCancellation.Token);
                    if (await Task.WhenAny(Task.Delay(500, downloadCancellation.Token), download).ConfigureAwait(false) != download)
                    {
                        downloadCancellation.Cancel();
                        return "";
                    }
                    return await download.ConfigureAwait(false);
                }
            }
            """);

    [Fact]
    public Task Fix_LinksToTheTokenTheWorkWasGiven_AndNotToAnythingForCancellationTokenNone()
        => Verify.VerifyCodeFixAsync(Usings + Repository + """
            class Client
            {
                public async Task<string> ForRequestAsync(Repository repository, CancellationToken requestAborted, CancellationToken stopping)
                {
                    var work = repository.LoadAsync("a", cancellationToken: requestAborted);
                    if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                        throw new TimeoutException();
                    return await work;
                }

                public async Task DetachedAsync(Repository repository, CancellationToken ct)
                {
                    var work = repository.LoadAsync("a", CancellationToken.None);
                    if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                        throw new TimeoutException();
                }
            }
            """, Usings + Repository + """
            class Client
            {
                public async Task<string> ForRequestAsync(Repository repository, CancellationToken requestAborted, CancellationToken stopping)
                {
                    using var workCancellation = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
                    var work = repository.LoadAsync("a", cancellationToken: workCancellation.Token);
                    if (await Task.WhenAny(work, Task.Delay(1000)) != work)
                    {
                        workCancellation.Cancel();
                        throw new TimeoutException();
                    }
                    return await work;
                }

                public async Task DetachedAsync(Repository repository, CancellationToken ct)
                {
                    using var workCancellation = new CancellationTokenSource();
                    var work = repository.LoadAsync("a", workCancellation.Token);
                    if (await Task.WhenAny(work, Task.Delay(1000, workCancellation.Token)) != work)
                    {
                        workCancellation.Cancel();
                        throw new TimeoutException();
                    }
                }
            }
            """);

    /// <summary>The runtime demo's bad variant (samples/RuntimeDemos, TimeoutDemo): fixed, the job stops when the timeout wins.</summary>
    [Fact]
    public Task Fix_TheTimeoutDemosBadVariant()
        => Verify.VerifyCodeFixAsync(Usings + """
            class TimeoutDemo
            {
                private static async Task RunWithWhenAnyAsync(TimeSpan duration, TimeSpan timeout)
                {
                    var job = SlowJobAsync(duration, CancellationToken.None);
                    if (await [|Task.WhenAny(job, Task.Delay(timeout))|] != job) // AP5005
                        throw new TimeoutException();
                }

                private static async Task SlowJobAsync(TimeSpan duration, CancellationToken cancellationToken)
                    => await Task.Delay(duration, cancellationToken);
            }
            """, Usings + """
            class TimeoutDemo
            {
                private static async Task RunWithWhenAnyAsync(TimeSpan duration, TimeSpan timeout)
                {
                    using var jobCancellation = new CancellationTokenSource();
                    var job = SlowJobAsync(duration, jobCancellation.Token);
                    if (await Task.WhenAny(job, Task.Delay(timeout, jobCancellation.Token)) != job) // AP5005
                    {
                        jobCancellation.Cancel();
                        throw new TimeoutException();
                    }
                }

                private static async Task SlowJobAsync(TimeSpan duration, CancellationToken cancellationToken)
                    => await Task.Delay(duration, cancellationToken);
            }
            """);

    /// <summary>
    /// Fix All rewrites both timeouts of one block (two edits of the same block). One fix at a time stops
    /// after the first: the analyzer is quiet for a member that cancels a token source, so the second
    /// timeout is no longer reported once the first cancels its work.
    /// </summary>
    [Fact]
    public Task FixAll_TwoTimeoutsInOneBlock_EachCancelsItsOwnWork()
        => new Verify.Test
        {
            TestCode = Usings + Repository + """
                class Client
                {
                    public async Task<int> BothAsync(Repository repository, CancellationToken ct)
                    {
                        var name = repository.LoadAsync("a");
                        if (await [|Task.WhenAny(name, Task.Delay(1000, ct))|] != name)
                            throw new TimeoutException();
                        var count = repository.CountAsync();
                        if (await [|Task.WhenAny(count, Task.Delay(1000, ct))|] != count)
                            return -1;
                        return (await name).Length + await count;
                    }
                }
                """,
            FixedCode = Usings + Repository + """
                class Client
                {
                    public async Task<int> BothAsync(Repository repository, CancellationToken ct)
                    {
                        using var nameCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        var name = repository.LoadAsync("a", nameCancellation.Token);
                        if (await Task.WhenAny(name, Task.Delay(1000, ct)) != name)
                        {
                            nameCancellation.Cancel();
                            throw new TimeoutException();
                        }
                        var count = repository.CountAsync();
                        if (await Task.WhenAny(count, Task.Delay(1000, ct)) != count)
                            return -1;
                        return (await name).Length + await count;
                    }
                }
                """,
            BatchFixedCode = Usings + Repository + """
                class Client
                {
                    public async Task<int> BothAsync(Repository repository, CancellationToken ct)
                    {
                        using var nameCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        var name = repository.LoadAsync("a", nameCancellation.Token);
                        if (await Task.WhenAny(name, Task.Delay(1000, ct)) != name)
                        {
                            nameCancellation.Cancel();
                            throw new TimeoutException();
                        }
                        using var countCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        var count = repository.CountAsync(countCancellation.Token);
                        if (await Task.WhenAny(count, Task.Delay(1000, ct)) != count)
                        {
                            countCancellation.Cancel();
                            return -1;
                        }
                        return (await name).Length + await count;
                    }
                }
                """,
        }.RunAsync();

    /// <summary>
    /// What the fix cannot make safe: a task handed in (nothing here can cancel it), a call that takes no
    /// token, work seen by other code before the timeout, a branch that still uses the work or goes on, a
    /// catch that awaits the work after the timeout.
    /// </summary>
    [Fact]
    public Task NoFix_WhereTheWorkCannotBeCancelledOrIsStillUsed()
        => new Verify.Test
        {
            TestCode = Usings + Repository + """
                class Client
                {
                    private readonly List<Task<string>> _pending = new();

                    public async Task<string> HandedInAsync(Task<string> download, CancellationToken ct)
                    {
                        if (await [|Task.WhenAny(download, Task.Delay(1000, ct))|] != download)
                            throw new TimeoutException("too slow");
                        return await download;
                    }

                    public async Task<string> NoTokenAsync(Repository repository)
                    {
                        var export = repository.ExportAsync("a");
                        if (await [|Task.WhenAny(export, Task.Delay(1000))|] != export)
                            throw new TimeoutException();
                        return await export;
                    }

                    public async Task<string> SharedAsync(Repository repository)
                    {
                        var work = repository.LoadAsync("a");
                        _pending.Add(work);
                        if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                            throw new TimeoutException();
                        return await work;
                    }

                    public async Task<string> BranchUsesTheWorkAsync(Repository repository)
                    {
                        var work = repository.LoadAsync("a");
                        if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                            return work.IsCompleted ? "late" : "";
                        return await work;
                    }

                    public async Task<string> CatchAwaitsTheWorkAsync(Repository repository)
                    {
                        var work = repository.LoadAsync("a");
                        try
                        {
                            if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                                throw new TimeoutException();
                        }
                        catch (TimeoutException)
                        {
                            return await work;
                        }
                        return await work;
                    }

                    public async Task<string> BranchGoesOnAsync(Repository repository)
                    {
                        var work = repository.LoadAsync("a");
                        if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                            Console.WriteLine("slow");
                        return await work;
                    }
                }
                """,
            ExpectNoFix = true,
        }.RunAsync();

    [Fact]
    public Task NoFix_BeforeCSharp8_WhichHasNoUsingDeclarations()
        => new CSharp73Test
        {
            TestCode = Usings + Repository + """
                class Client
                {
                    public async Task<string> GetAsync(Repository repository)
                    {
                        var work = repository.LoadAsync("a");
                        if (await [|Task.WhenAny(work, Task.Delay(1000))|] != work)
                            throw new TimeoutException();
                        return await work;
                    }
                }
                """,
            ExpectNoFix = true,
        }.RunAsync();

    [Theory]
    [InlineData("var work = repository.LoadAsync(; if (await Task.WhenAny(work, Task.Delay(1000)) != work) throw new TimeoutException();")]
    [InlineData("var work = repository.LoadAsync(\"a\"); if (await Task.WhenAny(work, Task.Delay()) != work) throw new TimeoutException(")]
    [InlineData("if (await Task.WhenAny(work, Task.Delay(1000)) != work) throw;")]
    [InlineData("var work = repository.LoadAsync(\"a\"); if (await Task.WhenAny(work, Task.Delay(1000)) != ) return;")]
    public Task NoCrash_OnHalfTypedCode(string body)
        => Verify.VerifyNoCrashAsync(Usings + Repository + "class Client { public async Task M(Repository repository) { " + body + " } }");

    /// <summary>C# 7.3 (the default of netstandard2.0 and .NET Framework projects), without nullable annotations, which it lacks.</summary>
    private sealed class CSharp73Test : Verify.Test
    {
        public CSharp73Test() => LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3;

        protected override Microsoft.CodeAnalysis.CompilationOptions CreateCompilationOptions()
            => ((Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(Microsoft.CodeAnalysis.NullableContextOptions.Disable);
    }

    /// <summary>The fixed code raises nothing of the package: AP5005 sees the cancellation, and no other rule objects to it.</summary>
    [Fact]
    public async Task FixedCode_RaisesNoDiagnosticOfThePackage()
    {
        var diagnostics = await PackageDiagnosticsAsync(Usings + Repository + """
            class Client
            {
                public async Task<string> GetAsync(Repository repository, CancellationToken ct)
                {
                    using var workCancellation = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var work = repository.LoadAsync("a", workCancellation.Token);
                    if (await Task.WhenAny(work, Task.Delay(1000, ct)) != work)
                    {
                        workCancellation.Cancel();
                        throw new TimeoutException("too slow");
                    }
                    return await work;
                }

                // Linked to nothing: the delay takes the race's token too, or AP5003 would ask for it.
                public async Task<int> CountOrTimeOutAsync(Repository repository)
                {
                    using var countCancellation = new CancellationTokenSource();
                    var count = repository.CountAsync(countCancellation.Token);
                    if (await Task.WhenAny(count, Task.Delay(5000, countCancellation.Token)) != count)
                    {
                        countCancellation.Cancel();
                        throw new TimeoutException();
                    }
                    return await count;
                }
            }
            """);
        Assert.Empty(diagnostics);
    }

    /// <summary>Every analyzer of the package, run as a build runs them, on <paramref name="source"/>: what they report, as "APxxxx: message".</summary>
    internal static async Task<string[]> PackageDiagnosticsAsync(string source)
    {
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Fixed",
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview)) },
            TestReferences.Framework,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: Microsoft.CodeAnalysis.NullableContextOptions.Enable));
        AnalyzerRunner.AssertNoCompilerErrors(compilation, "fixed code");
        var diagnostics = await AnalyzerRunner.RunAsBuildAsync(compilation, AnalyzerRunner.AllAnalyzers,
            new Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions(System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.AdditionalText>.Empty));
        return diagnostics.Select(d => d.Id + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
