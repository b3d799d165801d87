using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.TokenNotForwardedAnalyzer, AsyncPitfalls.Rules.TokenNotForwardedCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP5003TokenNotForwardedTests
{
    private const string Usings = AP5001SwallowedCancellationTests.Usings;

    /// <summary>A stand-in for ASP.NET Core's HttpContext, which carries the request's token.</summary>
    internal const string Http = """
        public class HttpContext { public CancellationToken RequestAborted { get; set; } }

        """;

    [Fact]
    public Task Reports_OverloadsOptionalParametersTaskDelay_LocalsLambdasLocalFunctions()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Repository
            {
                public Task<int> CountAsync() => Task.FromResult(0);
                public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(0);
                public Task SaveAsync(string name, CancellationToken cancellationToken = default) => Task.CompletedTask;
            }
            class Service
            {
                public async Task RunAsync(Repository repository, HttpClient http, CancellationToken ct)
                {
                    await {|#0:repository.CountAsync()|};
                    await {|#1:repository.SaveAsync("a")|};
                    await {|#2:Task.Delay(100)|};
                    await {|#3:http.GetStringAsync("https://example.com")|};
                    Func<Task> later = async () => await {|#4:Task.Delay(5)|};
                    await Local();
                    async Task Local() => await {|#5:repository.CountAsync()|};
                }

                public async Task WithSourceAsync(Repository repository)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                    await {|#6:repository.CountAsync()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Repository.CountAsync' can take a CancellationToken; pass 'ct' so it stops when the operation is cancelled"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Repository.SaveAsync", "ct"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Task.Delay", "ct"),
            Verify.Diagnostic().WithLocation(3).WithArguments("HttpClient.GetStringAsync", "ct"),
            Verify.Diagnostic().WithLocation(4).WithArguments("Task.Delay", "ct"),
            Verify.Diagnostic().WithLocation(5).WithArguments("Repository.CountAsync", "ct"),
            Verify.Diagnostic().WithLocation(6).WithArguments("Repository.CountAsync", "cts.Token"));

    [Fact]
    public Task Reports_WithTheRequestAbortedOfAnHttpContextParameter()
        => Verify.VerifyAnalyzerAsync(Usings + Http + """
            class Endpoint
            {
                public async Task HandleAsync(HttpContext context, HttpClient http)
                {
                    await {|#0:http.GetStringAsync("https://example.com")|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("HttpClient.GetStringAsync", "context.RequestAborted"));

    /// <summary>A lambda's HttpContext parameter (a minimal-API handler) carries the request's token, before the registering method's.</summary>
    [Fact]
    public Task Reports_WithTheRequestAbortedOfAHandlerLambdasHttpContext()
        => Verify.VerifyAnalyzerAsync(Usings + Http + """
            class Endpoints
            {
                public static void MapGet(string pattern, Delegate handler) { }

                public void Map(HttpClient http, CancellationToken startup)
                {
                    MapGet("/", async (HttpContext context) => await {|#0:http.GetStringAsync("https://example.com")|});
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("HttpClient.GetStringAsync", "context.RequestAborted"));

    [Fact]
    public Task ZeroTimeoutTriesAreQuiet_RealWaitsAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Writer
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task WriteAsync(CancellationToken ct)
                {
                    if (!_gate.Wait(0)) return;
                    if (!await _gate.WaitAsync(TimeSpan.Zero)) return;
                    {|#0:_gate.Wait(100)|};
                    await {|#1:_gate.WaitAsync(TimeSpan.FromSeconds(1))|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("SemaphoreSlim.Wait", "ct"),
            Verify.Diagnostic().WithLocation(1).WithArguments("SemaphoreSlim.WaitAsync", "ct"));

    [Fact]
    public Task WorkThatReadsTheTokenIsQuiet_WorkThatIgnoresItIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Poller
            {
                private static Task PollAsync(CancellationToken ct) => Task.Delay(10, ct);
                private static Task FlushAsync() => Task.CompletedTask;

                // StackExchange.Redis: the work started on the pool observes the token itself.
                public async Task StartAsync(CancellationToken ct)
                {
                    await Task.Run(async () => await PollAsync(ct));
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    await Task.Run(() => PollAsync(cts.Token));
                    await {|#0:Task.Run(() => FlushAsync())|};
                }

                // The token reaches the iterator where the sequence is enumerated.
                public IAsyncEnumerator<int> GetAsyncEnumerator(System.Threading.Channels.Channel<int> channel, CancellationToken ct)
                    => channel.Reader.ReadAllAsync().GetAsyncEnumerator(ct);

                public async Task DrainAsync(System.Threading.Channels.Channel<int> channel, CancellationToken ct)
                {
                    await foreach (var item in channel.Reader.ReadAllAsync().WithCancellation(ct))
                        Console.WriteLine(item);
                    await foreach (var item in {|#1:channel.Reader.ReadAllAsync()|})
                        Console.WriteLine(item);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("Task.Run", "cts.Token"),
            Verify.Diagnostic().WithLocation(1).WithArguments("ChannelReader.ReadAllAsync", "ct"));

    [Fact]
    public Task NoDiagnostic_TokenPassed_Bridges_Carriers_OtherMeanings_NoToken()
        => Verify.VerifyAnalyzerAsync(Usings + Http + """
            class Store
            {
                public Task LoadAsync() => LoadAsync(CancellationToken.None);
                public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

                public Task FlushAsync(CancellationToken cancellationToken) => FlushCoreAsync();
                private Task FlushCoreAsync() => FlushCoreAsync(CancellationToken.None);
                private Task FlushCoreAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

                public Task Handle(HttpContext context) => Task.CompletedTask;
                public Task Handle(HttpContext context, CancellationToken cancellationToken) => Task.CompletedTask;
            }
            class Service
            {
                public async Task RunAsync(Store store, HttpContext context, TaskCompletionSource<int> tcs, CancellationToken ct)
                {
                    await store.LoadAsync(ct);
                    await store.LoadAsync(CancellationToken.None);
                    await Task.Delay(100, default(CancellationToken));
                    await store.Handle(context);
                    tcs.TrySetCanceled();
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    linked.CancelAfter(100);
                }

                public async Task NoTokenAsync(Store store)
                {
                    await store.LoadAsync();
                    await Task.Delay(10);
                }

                public async Task TwoTokensAsync(Store store, CancellationToken a, CancellationToken b)
                {
                    await store.LoadAsync();
                }
            }
            """);

    [Fact]
    public Task WorkBoundedByTheTokenIsQuiet_UnboundedWorkIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connector
            {
                public Task ConnectAsync(string host) => Task.CompletedTask;
                public Task ConnectAsync(string host, CancellationToken cancellationToken) => Task.CompletedTask;
            }
            static class Wire
            {
                // MongoDB.Driver: the operation's task is waited on with the token; on cancel the stream is thrown away.
                private static async Task WithTimeoutAsync<TState>(Stream stream, TState state, Func<Stream, TState, Task> operation, TimeSpan timeout, CancellationToken cancellationToken)
                {
                    Task running = null;
                    try
                    {
                        running = operation(stream, state);
                        await running.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        stream.Dispose();
                        throw;
                    }
                }

                private static async Task PlainAsync(Stream stream, Func<Stream, Task> operation, CancellationToken cancellationToken)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await operation(stream);
                }

                public static Task ReadAsync(Stream stream, byte[] buffer, TimeSpan timeout, CancellationToken cancellationToken)
                    => WithTimeoutAsync(stream, buffer, async (s, b) => await s.ReadAsync(b, 0, b.Length).ConfigureAwait(false), timeout, cancellationToken);

                public static Task ReadPlainAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
                    => PlainAsync(stream, async s => await {|#0:s.ReadAsync(buffer, 0, buffer.Length)|}, cancellationToken);

                public static Task ReadOnPoolAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
                    => Task.Run(async () => await {|#1:stream.ReadAsync(buffer, 0, buffer.Length)|}, cancellationToken);

                public static async Task ConnectAsync(Connector connector, TimeSpan timeout, CancellationToken cancellationToken)
                {
                    var connecting = connector.ConnectAsync("db");
                    await connecting.WaitAsync(timeout, cancellationToken);
                    await connector.ConnectAsync("replica").WaitAsync(cancellationToken);
                    var unbounded = {|#2:connector.ConnectAsync("arbiter")|};
                    await {|#3:unbounded.WaitAsync(timeout)|};
                }

                // An old API without a token: cancelling disposes the stream, which ends the read.
                public static async Task<int> ReadRegisteredAsync(Stream stream, byte[] buffer, Stream other, CancellationToken cancellationToken)
                {
                    using (cancellationToken.Register(() => stream.Dispose()))
                    {
                        await {|#4:other.FlushAsync()|};
                        return await stream.ReadAsync(buffer, 0, buffer.Length);
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("Stream.ReadAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Stream.ReadAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Connector.ConnectAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(3).WithArguments("Task.WaitAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(4).WithArguments("Stream.FlushAsync", "cancellationToken"));

    [Fact]
    public Task SourceCancelledOnlyByThisMethodIsQuiet_SourceThatCanFireDuringTheCallIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Breaker
            {
                private readonly TimeSpan _timeout = TimeSpan.FromSeconds(1);
                private CancellationTokenSource _readerCts = new();

                private static Task PumpAsync() => Task.CompletedTask;
                private static Task PumpAsync(CancellationToken cancellationToken) => Task.CompletedTask;

                // Akka: the source is handed to the user's task and cancelled only once the awaited wait has failed.
                public async Task CallAsync(Func<CancellationToken, Task> call)
                {
                    var cts = new CancellationTokenSource();
                    try
                    {
                        await call(cts.Token).WaitAsync(_timeout).ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        cts.Cancel();
                        throw;
                    }
                    finally
                    {
                        cts.Dispose();
                    }
                }

                // NATS.Client: the source was cancelled on the line before; its token would make the grace wait throw at once.
                public async Task StopAsync(Task reader)
                {
                    var readerCts = _readerCts;
                    if (readerCts != null)
                        await readerCts.CancelAsync();
                    await reader.WaitAsync(_timeout);
                }

                // Started, not awaited: the cancel that follows is how the pump stops.
                public async Task RunAsync()
                {
                    using var cts = new CancellationTokenSource();
                    var pump = {|#0:PumpAsync()|};
                    await Task.Yield();
                    cts.Cancel();
                    await pump;
                }

                // Cancelled from a callback, while the wait may still run.
                public async Task LinkedAsync(Task work, CancellationToken other)
                {
                    var cts = new CancellationTokenSource();
                    using var registration = other.Register(() => cts.Cancel());
                    await {|#1:work.WaitAsync(_timeout)|};
                    cts.Dispose();
                }

                // Cancelled only on a path that returns: the shared source may still be cancelled by others during the wait.
                public async Task MaybeStopAsync(Task reader, bool stopping)
                {
                    var readerCts = _readerCts;
                    if (stopping)
                    {
                        readerCts.Cancel();
                        return;
                    }
                    await {|#2:reader.WaitAsync(_timeout)|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("Breaker.PumpAsync", "cts.Token"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Task.WaitAsync", "cts.Token"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Task.WaitAsync", "readerCts.Token"));

    [Fact]
    public Task MethodGroupThatReadsTheStoredTokenIsQuiet_OneThatIgnoresItIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private readonly CancellationToken _stopping;

                // Rebus: the worker loop reads the token the constructor stored.
                public Worker(CancellationToken stopping)
                {
                    _stopping = stopping;
                    Task.Run((Func<Task>)Loop);
                    {|#0:Task.Run((Func<Task>)Flush)|};
                }

                private async Task Loop()
                {
                    while (!_stopping.IsCancellationRequested)
                        await Task.Delay(100, _stopping);
                }

                private static Task Flush() => Task.CompletedTask;
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("Task.Run", "stopping"));

    [Fact]
    public Task ReadsOfMemoryAreQuiet_ReadsOfTheWireAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                private readonly HttpClient _http = new();

                private async Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, path);
                    return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }

                // MongoDB.Driver, StackExchange.Redis: the default completion option buffered the body under the token.
                public async Task<string> ReadAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                {
                    var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    var listed = await GetAsync("v1/list", cancellationToken);
                    return await response.Content.ReadAsStringAsync() + await listed.Content.ReadAsStringAsync();
                }

                public async Task<string> StreamAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                {
                    var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    return await {|#0:response.Content.ReadAsStringAsync()|};
                }

                // MassTransit's in-memory repository: copying into memory still reads the caller's stream.
                public async Task<byte[]> CopyAsync(Stream source, Stream network, CancellationToken cancellationToken)
                {
                    using var buffer = new MemoryStream();
                    await buffer.WriteAsync(new byte[] { 1, 2 }, 0, 2);
                    buffer.Position = 0;
                    await new StringContent("x").ReadAsByteArrayAsync();
                    await {|#1:source.CopyToAsync(buffer)|};
                    await {|#2:buffer.CopyToAsync(network)|};
                    return buffer.ToArray();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("HttpContent.ReadAsStringAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Stream.CopyToAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Stream.CopyToAsync", "cancellationToken"));

    [Fact]
    public Task Fix_PassesTheToken_ByPositionOrByName_NestedCallsToo()
        => Verify.VerifyCodeFixAsync(Usings + Http + """
            class Repository
            {
                public Task<int> CountAsync() => Task.FromResult(0);
                public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(0);
                public Task SaveAsync(string name, int retries = 3, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public Task<int> TwiceAsync(Task<int> value) => value;
                public Task<int> TwiceAsync(Task<int> value, CancellationToken cancellationToken) => value;
            }
            class Endpoint
            {
                public async Task HandleAsync(Repository repository, HttpContext context)
                {
                    await [|repository.CountAsync()|];
                    await [|repository.SaveAsync("a")|];
                    await [|repository.SaveAsync("b", 1)|];
                    await [|repository.TwiceAsync([|repository.CountAsync()|])|];
                    await [|Task.Delay(100)|];
                }
            }
            """, Usings + Http + """
            class Repository
            {
                public Task<int> CountAsync() => Task.FromResult(0);
                public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(0);
                public Task SaveAsync(string name, int retries = 3, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public Task<int> TwiceAsync(Task<int> value) => value;
                public Task<int> TwiceAsync(Task<int> value, CancellationToken cancellationToken) => value;
            }
            class Endpoint
            {
                public async Task HandleAsync(Repository repository, HttpContext context)
                {
                    await repository.CountAsync(context.RequestAborted);
                    await repository.SaveAsync("a", cancellationToken: context.RequestAborted);
                    await repository.SaveAsync("b", 1, context.RequestAborted);
                    await repository.TwiceAsync(repository.CountAsync(context.RequestAborted), context.RequestAborted);
                    await Task.Delay(100, context.RequestAborted);
                }
            }
            """);
}
