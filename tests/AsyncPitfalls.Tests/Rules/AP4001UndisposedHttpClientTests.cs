using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.UndisposedHttpClientAnalyzer, AsyncPitfalls.Rules.UndisposedHttpClientCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP4001UndisposedHttpClientTests
{
    internal const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    [Fact]
    public Task Reports_DroppedClients_LocalsNotDisposedOnSomePath_UnownedHandlers()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Fetcher
            {
                public Task<string> InlineAsync(string url) => {|#0:new HttpClient()|}.GetStringAsync(url);

                public async Task<string> NeverDisposedAsync(string url)
                {
                    var client = {|#1:new HttpClient()|};
                    return await client.GetStringAsync(url);
                }

                public async Task<string> EarlyReturnAsync(string url, bool cached)
                {
                    var client = {|#2:new HttpClient()|};
                    if (cached)
                        return "cached";
                    var text = await client.GetStringAsync(url);
                    client.Dispose();
                    return text;
                }

                public async Task<string> ConditionalAsync(string url, bool dispose)
                {
                    var client = {|#3:new HttpClient()|};
                    var text = await client.GetStringAsync(url);
                    if (dispose)
                        client.Dispose();
                    return text;
                }

                public async Task<string> HandlerKeptAsync(string url)
                {
                    var handler = {|#4:new HttpClientHandler()|};
                    using var client = new HttpClient(handler, disposeHandler: false);
                    return await client.GetStringAsync(url);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'new HttpClient' is neither disposed, stored nor returned in method 'InlineAsync': its connections stay open until a finalizer runs; dispose it, or better, share one client"),
            Verify.Diagnostic().WithLocation(1).WithArguments("client", "async method 'NeverDisposedAsync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("client", "async method 'EarlyReturnAsync'"),
            Verify.Diagnostic().WithLocation(3).WithArguments("client", "async method 'ConditionalAsync'"),
            Verify.Diagnostic().WithLocation(4).WithArguments("handler", "async method 'HandlerKeptAsync'"));

    /// <summary>
    /// Issue 27: the shared naming of the enclosing function, in a minimal API handler of top-level statements, says
    /// "top-level statements", never the compiler's '&lt;Main&gt;$'.
    /// </summary>
    [Fact]
    public Task Reports_InMinimalApiHandler_InTopLevelStatements_WithoutTheCompilersName()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    var app = WebApplication.CreateBuilder(args).Build();
                    app.MapGet("/weather", async () => await {|#0:new HttpClient()|}.GetStringAsync("https://example.com"));
                    app.Run();
                    """,
                    AP4002HttpClientPerOperationTests.AspNetCore,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic().WithLocation(0).WithMessage("'new HttpClient' is neither disposed, stored nor returned in async lambda in top-level statements: its connections stay open until a finalizer runs; dispose it, or better, share one client"),
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoDiagnostic_Using_TryFinally_Returned_Stored_OwnershipTransferred_DisposedOnBothBranches()
        => Verify.VerifyAnalyzerAsync(Usings + """
            sealed class Fetcher : IDisposable
            {
                private static readonly HttpClient Shared = new HttpClient();
                private HttpClient? _client;
                private readonly List<HttpClient> _all = new();

                // The field the clients are stored in is the type's to dispose (issue 29's field shape): it does.
                public void Dispose() => _client?.Dispose();

                public async Task<string> UsingAsync(string url)
                {
                    using var client = new HttpClient();
                    using (var other = new HttpClient())
                        await other.GetStringAsync(url);
                    return await client.GetStringAsync(url);
                }

                public async Task<string> TryFinallyAsync(string url)
                {
                    var client = new HttpClient();
                    try { return await client.GetStringAsync(url); }
                    finally { client.Dispose(); }
                }

                public async Task<string> NullConditionalFinallyAsync(string url)
                {
                    HttpClient? client = null;
                    try
                    {
                        client = new HttpClient();
                        return await client.GetStringAsync(url);
                    }
                    finally { client?.Dispose(); }
                }

                public HttpClient Create() => new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

                public HttpClient CreateViaLocal()
                {
                    var client = new HttpClient();
                    client.DefaultRequestHeaders.Add("User-Agent", "demo");
                    return client;
                }

                public void Store()
                {
                    _client = new HttpClient();
                    _all.Add(new HttpClient());
                    var local = new HttpClient();
                    _client = local;
                }

                public HttpClient OwnsHandler() => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

                public HttpClient OwnsHandlerViaLocal()
                {
                    var handler = new HttpClientHandler();
                    return new HttpClient(handler);
                }

                public async Task<string> BothBranchesAsync(string url, bool fast)
                {
                    var client = new HttpClient();
                    var text = await client.GetStringAsync(url);
                    if (fast)
                        client.Dispose();
                    else
                        client.Dispose();
                    return text;
                }

                public Func<HttpClient> Factory() => () => new HttpClient();
            }
            """);

    [Theory]
    [InlineData("void M() { var c = new HttpClient(; }")]
    [InlineData("void M() { var c = new HttpClient(); c. }")]
    [InlineData("void M() { var c = new Missing(); c.Dispose(); }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    [Fact]
    public Task Fix_AddsUsingToTheDeclaration_NotWhenReassigned()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Fetcher
                    {
                        public async Task<string> GetAsync(string url)
                        {
                            var handler = [|new HttpClientHandler()|];
                            var client = new HttpClient(handler, disposeHandler: false);
                            try { return await client.GetStringAsync(url); }
                            finally { client.Dispose(); }
                        }

                        public async Task<string> ReassignedAsync(string url)
                        {
                            var client = [|new HttpClient()|];
                            var text = await client.GetStringAsync(url);
                            client = null!;
                            return text;
                        }
                    }
                    """,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Usings + """
                    class Fetcher
                    {
                        public async Task<string> GetAsync(string url)
                        {
                            using var handler = new HttpClientHandler();
                            var client = new HttpClient(handler, disposeHandler: false);
                            try { return await client.GetStringAsync(url); }
                            finally { client.Dispose(); }
                        }

                        public async Task<string> ReassignedAsync(string url)
                        {
                            var client = [|new HttpClient()|];
                            var text = await client.GetStringAsync(url);
                            client = null!;
                            return text;
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoFix_ForAClientCreatedInsideACallChain()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Fetcher
                    {
                        public async Task<int> GetAsync(string url)
                        {
                            string text = await [|new HttpClient()|].GetStringAsync(url);
                            var length = (await [|new HttpClient()|].GetStringAsync(url)).Length;
                            await [|new HttpClient()|].GetStringAsync(url);
                            return text.Length + length;
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // C# 7.3 (netstandard2.0, .NET Framework) has no using declaration: 'using var client' did not compile there (CS8370).
    [Fact]
    public Task Fix_BelowCSharp8_MovesTheRestOfTheBlockIntoAUsingStatement()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Fetcher
            {
                public async Task<string> GetAsync(string url)
                {
                    var client = [|new HttpClient()|];
                    var text = await client.GetStringAsync(url);
                    return text.Trim();
                }
            }
            """, Usings + """
            class Fetcher
            {
                public async Task<string> GetAsync(string url)
                {
                    using var client = new HttpClient();
                    var text = await client.GetStringAsync(url);
                    return text.Trim();
                }
            }
            """, fixedSourceAtCSharp7_3: Usings + """
            class Fetcher
            {
                public async Task<string> GetAsync(string url)
                {
                    using (var client = new HttpClient())
                    {
                        var text = await client.GetStringAsync(url);
                        return text.Trim();
                    }
                }
            }
            """);

    // Issue 29, shape 1: a client or handler the type creates and keeps in a field.
    [Fact]
    public Task Reports_OwnedFieldClients_NeverDisposedOrReplacedWithoutDisposing()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class WeatherClient
            {
                private readonly HttpClient _http = {|#0:new HttpClient()|};
                public Task<string> GetAsync(string city) => _http.GetStringAsync("https://example.com/" + city);
            }

            sealed class Crawler : IDisposable
            {
                private readonly SocketsHttpHandler _handler;
                private HttpClient _client;

                public Crawler()
                {
                    _handler = {|#1:new SocketsHttpHandler()|};
                    _client = new HttpClient();
                }

                public void Reconfigure(TimeSpan timeout)
                {
                    _client = {|#3:new HttpClient { Timeout = timeout }|};
                }

                public Task<string> GetAsync(string url) => _client.GetStringAsync(url);

                public void Dispose() => _client.Dispose();
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'WeatherClient' creates the HttpClient in field '_http' and never disposes it: 'WeatherClient' is not IDisposable"),
            Verify.Diagnostic().WithLocation(1).WithMessage("'Crawler' creates the SocketsHttpHandler in field '_handler' and never disposes it, not even in its Dispose"),
            Verify.Diagnostic().WithLocation(3).WithMessage("'Crawler' creates the HttpClient in field '_client' and replaces it in 'Reconfigure' without disposing the previous one"));

    /// <summary>The look-alikes: injected or from a factory, static, handed over, disposed, or a singleton's.</summary>
    [Fact]
    public Task NoDiagnostic_FieldClientsNotOwnedOrDisposed()
        => Verify.VerifyAnalyzerAsync(Usings + """
            interface IHttpClientFactory { HttpClient CreateClient(string name); }

            class Injected
            {
                private readonly HttpClient _http;
                private readonly HttpClient _named;
                private readonly HttpClient _either;
                public Injected(HttpClient http, IHttpClientFactory factory, HttpClient? maybe)
                {
                    _http = http;
                    _named = factory.CreateClient("api");
                    _either = maybe ?? new HttpClient();
                }
            }

            class Shared
            {
                // One client for the process: meant to live as long as it.
                private static readonly HttpClient s_client = new HttpClient();
                public static Task<string> GetAsync(string url) => s_client.GetStringAsync(url);
            }

            sealed class Singleton
            {
                private static readonly Lazy<Singleton> s_instance = new(() => new Singleton());
                private readonly HttpClient _http = new HttpClient();
                private Singleton() { }
                public static Singleton Instance => s_instance.Value;
                public Task<string> GetAsync(string url) => _http.GetStringAsync(url);
            }

            class Wrapped
            {
                // The handler goes to the client, which owns it; the client goes to the wrapper.
                private readonly HttpClientHandler _handler = new HttpClientHandler();
                private readonly HttpClient _client;
                public Wrapped() { _client = new HttpClient(_handler); Api = new ApiClient(_client); }
                public ApiClient Api { get; }
            }

            sealed class ApiClient : IDisposable
            {
                private readonly HttpClient _client;
                private HttpClient? _lazy;
                public ApiClient(HttpClient client) => _client = client;
                public HttpClient Lazy => _lazy ??= new HttpClient();
                public void Dispose() { _client.Dispose(); _lazy?.Dispose(); }
            }

            sealed class Rotating : IAsyncDisposable
            {
                private HttpClient _client = new HttpClient();
                public void Rotate()
                {
                    var old = Interlocked.Exchange(ref _client, new HttpClient());
                    old.Dispose();
                }
                public async ValueTask DisposeAsync()
                {
                    await Task.Yield();
                    _client.Dispose();
                }
            }
            """);

    [Fact]
    public Task Fix_FieldClientTheDisposeForgets_IsDisposedInDispose()
        => Verify.VerifyCodeFixAsync(Usings + """
            sealed class Crawler : IDisposable
            {
                private readonly HttpClient _client = [|new HttpClient()|];
                private readonly Stream _log = Stream.Null;

                public Task<string> GetAsync(string url) => _client.GetStringAsync(url);

                public void Dispose()
                {
                    _log.Dispose();
                }
            }
            """, Usings + """
            sealed class Crawler : IDisposable
            {
                private readonly HttpClient _client = new HttpClient();
                private readonly Stream _log = Stream.Null;

                public Task<string> GetAsync(string url) => _client.GetStringAsync(url);

                public void Dispose()
                {
                    _log.Dispose();
                    _client?.Dispose();
                }
            }
            """);

    // Disposing the previous client would cancel the requests still running on it: no fix for a replaced client.
    [Fact]
    public Task NoFix_ReplacedFieldClient()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestCode = Usings + """
                sealed class Crawler : IDisposable
                {
                    private HttpClient _client = new HttpClient();
                    public void Reconfigure(TimeSpan timeout) { _client = [|new HttpClient { Timeout = timeout }|]; }
                    public void Dispose() => _client.Dispose();
                }
                """,
        }.RunAsync();
}
