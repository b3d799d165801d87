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
