using System;
using System.Linq;
using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.HttpClientPerOperationAnalyzer, AsyncPitfalls.Rules.HttpClientPerOperationCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP4002HttpClientPerOperationTests
{
    private const string Usings = AP4001UndisposedHttpClientTests.Usings;
    private const string FieldKey = "AP4002.HoistToStaticField";
    private const string TopLevelLocalKey = "AP4002.HoistToTopLevelLocal";

    [Fact]
    public Task Reports_PerRequestClients_EvenDisposed_AndInLoops()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Fetcher
            {
                public async Task<string> GetAsync(string url)
                {
                    using var client = {|#0:new HttpClient()|};
                    return await client.GetStringAsync(url);
                }

                public Fetcher(string[] urls)
                {
                    foreach (var url in urls)
                    {
                        using var client = {|#1:new HttpClient()|};
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'new HttpClient' in async method 'GetAsync' creates a client per call: its connections are never reused and closed sockets linger in TIME_WAIT; share one static HttpClient, or use IHttpClientFactory where DI is available"),
            Verify.Diagnostic().WithLocation(1).WithArguments("inside a loop"));

    [Fact]
    public Task NoDiagnostic_EntryPoints_Constructors_Initializers_Factories_Fields_DiRegistration()
        => Verify.VerifyAnalyzerAsync(Usings + """
            namespace Microsoft.Extensions.DependencyInjection
            {
                public interface IServiceCollection { }
                public static class ServiceCollectionServiceExtensions
                {
                    public static IServiceCollection AddSingleton<T>(this IServiceCollection services, Func<IServiceProvider, T> factory) => services;
                }
            }
            namespace App
            {
                using Microsoft.Extensions.DependencyInjection;
                class Fetcher
                {
                    private static readonly HttpClient Shared = new HttpClient();
                    private readonly HttpClient _client;
                    private HttpClient? _lazy;
                    public HttpClient Client { get; } = new HttpClient();

                    public Fetcher() => _client = new HttpClient();
                    static Fetcher() { }

                    public static HttpClient Create() => new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                    public static async Task<HttpClient> CreateAsync() { await Task.Yield(); return new HttpClient(); }

                    public HttpClient Lazy() => _lazy ??= new HttpClient();
                    public void Reset() { _lazy = new HttpClient(); }

                    public static void Register(IServiceCollection services) => services.AddSingleton(_ => new HttpClient());

                    public static async Task Main() { using var client = new HttpClient(); await client.GetStringAsync("https://example.com"); }
                }
            }
            """);

    [Fact]
    public Task Option_AllowedFactoryMethods()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.AP4002.allowed_factory_methods = ClientPool.Rent\n") },
                Sources =
                {
                    Usings + """
                    class ClientPool
                    {
                        public object Rent() { var client = new HttpClient(); return client; }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoDiagnostic_InTopLevelStatements()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources = { Usings + "using var client = new HttpClient();\nConsole.WriteLine(await client.GetStringAsync(\"https://example.com\"));\n" },
            },
        }.RunAsync();

    /// <summary>
    /// Just enough of ASP.NET Core for minimal APIs: the endpoint mappings (<c>Delegate</c> handlers on
    /// <c>IEndpointRouteBuilder</c>), <c>Run</c> and <c>Use</c> (per-request delegates on <c>IApplicationBuilder</c>, and
    /// <c>Use</c>'s middleware factory, run once, that returns one),
    /// <c>Map</c> (a pipeline branch configured once) and a DI registration.
    /// </summary>
    internal const string AspNetCore = """
        namespace Microsoft.AspNetCore.Http
        {
            public class HttpContext { public System.Threading.CancellationToken RequestAborted { get; set; } }
            public delegate System.Threading.Tasks.Task RequestDelegate(HttpContext context);
        }
        namespace Microsoft.AspNetCore.Routing
        {
            public interface IEndpointRouteBuilder { }
        }
        namespace Microsoft.AspNetCore.Builder
        {
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Routing;
            using Microsoft.Extensions.DependencyInjection;

            public interface IApplicationBuilder
            {
                IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware);
            }
            public sealed class WebApplicationBuilder
            {
                public IServiceCollection Services { get; } = new ServiceCollection();
                public WebApplication Build() => new WebApplication();
            }
            public sealed class WebApplication : IEndpointRouteBuilder, IApplicationBuilder
            {
                public static WebApplicationBuilder CreateBuilder(string[] args) => new WebApplicationBuilder();
                public void Run(string? url = null) { }
                public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware) => this;
            }
            public static class EndpointRouteBuilderExtensions
            {
                public static IEndpointRouteBuilder MapGet(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => endpoints;
                public static IEndpointRouteBuilder MapPost(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => endpoints;
                public static IEndpointRouteBuilder MapMethods(this IEndpointRouteBuilder endpoints, string pattern, IEnumerable<string> httpMethods, Delegate handler) => endpoints;
            }
            public static class RunExtensions
            {
                public static void Run(this IApplicationBuilder app, RequestDelegate handler) { }
            }
            public static class UseExtensions
            {
                public static IApplicationBuilder Use(this IApplicationBuilder app, Func<HttpContext, RequestDelegate, Task> middleware) => app;
            }
            public static class MapExtensions
            {
                public static IApplicationBuilder Map(this IApplicationBuilder app, string pathMatch, Action<IApplicationBuilder> configuration) => app;
            }
        }
        namespace Microsoft.Extensions.DependencyInjection
        {
            using System;
            public interface IServiceCollection { }
            public sealed class ServiceCollection : IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<T>(this IServiceCollection services, Func<IServiceProvider, T> factory) => services;
            }
        }
        """;

    /// <summary>
    /// Issue 27: the <c>dotnet new web</c> shape. The handler runs once per request, though it is written in the
    /// top-level statements (where a client created at start-up belongs), and the message names it.
    /// </summary>
    [Fact]
    public Task Reports_MinimalApiHandler_InTopLevelStatements()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    var builder = WebApplication.CreateBuilder(args);
                    var app = builder.Build();
                    app.MapGet("/weather", async () => { using var client = {|#0:new HttpClient()|}; return await client.GetStringAsync("https://example.com"); });
                    app.Run();
                    """,
                    AspNetCore,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic().WithLocation(0).WithMessage("'new HttpClient' in the handler of MapGet(\"/weather\") creates a client per call: its connections are never reused and closed sockets linger in TIME_WAIT; share one static HttpClient, or use IHttpClientFactory where DI is available"),
                },
            },
        }.RunAsync();

    /// <summary>
    /// The twins of the handler above that run once, at start-up: a DI registration, a pipeline branch
    /// configured by a lambda, and a lookalike MapGet that is not ASP.NET's (a name alone proves nothing).
    /// </summary>
    [Fact]
    public Task NoDiagnostic_StartupLambdas_InTopLevelStatements()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;
                    using Microsoft.Extensions.DependencyInjection;

                    var builder = WebApplication.CreateBuilder(args);
                    builder.Services.AddSingleton(sp => new HttpClient());
                    var app = builder.Build();
                    app.Map("/branch", branch => { using var client = new HttpClient(); Console.WriteLine(client.Timeout); });
                    Routes.MapGet("/weather", async () => { using var client = new HttpClient(); return await client.GetStringAsync("https://example.com"); });
                    app.Run();

                    static class Routes
                    {
                        public static void MapGet(string pattern, Delegate handler) { }
                    }
                    """,
                    AspNetCore,
                },
            },
        }.RunAsync();

    /// <summary>
    /// Handlers written in Main, in the other mapping methods, as Run and Use delegates, as a local function passed
    /// by name, and in a lambda nested in a handler: all run per request.
    /// </summary>
    [Fact]
    public Task Reports_RequestHandlers_InMain()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;
                    using Microsoft.AspNetCore.Http;

                    static class Program
                    {
                        static void Main(string[] args)
                        {
                            var app = WebApplication.CreateBuilder(args).Build();
                            var route = "/dynamic";
                            app.MapPost("/orders", async () => await {|#0:new HttpClient()|}.GetStringAsync("https://example.com/orders"));
                            app.MapMethods(route, new[] { "PUT" }, () => Task.Run(() => {|#1:new HttpClient()|}.GetStringAsync("https://example.com")));
                            app.Use(async (context, next) => { using var client = {|#2:new HttpClient()|}; await next(context); });
                            app.MapGet("/local", Handle);
                            app.Run(async context => { using var client = {|#3:new HttpClient()|}; await client.GetStringAsync("https://example.com"); });
                            app.Run();

                            static async Task<string> Handle()
                            {
                                using var client = {|#4:new HttpClient()|};
                                return await client.GetStringAsync("https://example.com");
                            }
                        }
                    }
                    """,
                    AspNetCore,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic().WithLocation(0).WithArguments("in the handler of MapPost(\"/orders\")"),
                    Verify.Diagnostic().WithLocation(1).WithArguments("in the handler passed to 'MapMethods'"),
                    Verify.Diagnostic().WithLocation(2).WithArguments("in the handler passed to 'Use'"),
                    Verify.Diagnostic().WithLocation(3).WithArguments("in the handler passed to 'Run'"),
                    Verify.Diagnostic().WithLocation(4).WithArguments("in the handler of MapGet(\"/local\")"),
                },
            },
        }.RunAsync();

    /// <summary>
    /// A middleware factory (<c>Func&lt;RequestDelegate, RequestDelegate&gt;</c>) runs once, when the pipeline is built;
    /// the request delegate it returns, written as an expression body or after a <c>return</c>, serves every request.
    /// </summary>
    [Fact]
    public Task Reports_RequestDelegateReturnedByMiddlewareFactory()
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
                    app.Use(next => async context => { using var client = {|#0:new HttpClient()|}; await client.GetStringAsync("https://example.com"); await next(context); });
                    app.Use(next =>
                    {
                        var started = DateTime.UtcNow;
                        return async context =>
                        {
                            using var client = {|#1:new HttpClient()|};
                            Console.WriteLine(await client.GetStringAsync("https://example.com") + started);
                            await next(context);
                        };
                    });
                    app.Run();
                    """,
                    AspNetCore,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic().WithLocation(0).WithArguments("in the handler passed to 'Use'"),
                    Verify.Diagnostic().WithLocation(1).WithArguments("in the handler passed to 'Use'"),
                },
            },
        }.RunAsync();

    /// <summary>
    /// The look-alikes that run once: a client the factory creates before returning the request delegate (which
    /// then shares it), a factory returning <c>next</c> itself, a factory stored and not seen to be registered,
    /// and a Use that is not ASP.NET's.
    /// </summary>
    [Fact]
    public Task NoDiagnostic_MiddlewareFactoryCode_RunsAtStartup()
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
                    app.Use(next => next);
                    app.Use(next =>
                    {
                        var client = new HttpClient();
                        return async context => { await client.GetStringAsync("https://example.com"); await next(context); };
                    });
                    Func<RequestDelegate, RequestDelegate> stored = next => async context => { using var client = new HttpClient(); await next(context); };
                    Pipeline.Use(next => async context => { using var client = new HttpClient(); await next(context); });
                    app.Run();

                    static class Pipeline
                    {
                        public static void Use(Func<RequestDelegate, RequestDelegate> middleware) { }
                    }
                    """,
                    AspNetCore,
                },
            },
        }.RunAsync();

    /// <summary>
    /// A local function only handlers call runs per request: called from two handlers (the message names the first
    /// in the text), through another local function only a handler calls, and calling itself.
    /// </summary>
    [Fact]
    public Task Reports_LocalFunction_CalledOnlyFromHandlers()
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
                    app.MapGet("/weather", async () => await Fetch("https://example.com/weather"));
                    app.MapGet("/news", async () => (await Fetch("https://example.com/news")).Length);
                    app.Run(async context => await Relay(context));
                    app.MapGet("/retry", () => WithRetries("https://example.com", 3));
                    app.Run();

                    async Task<string> Fetch(string url)
                    {
                        using var client = {|#0:new HttpClient()|};
                        return await client.GetStringAsync(url);
                    }

                    async Task Relay(HttpContext context) => await Audit(context.RequestAborted);

                    async Task Audit(CancellationToken cancellationToken)
                    {
                        using var client = {|#1:new HttpClient()|};
                        await client.GetStringAsync("https://example.com/audit", cancellationToken);
                    }

                    async Task<string> WithRetries(string url, int left)
                    {
                        using var client = {|#2:new HttpClient()|};
                        try { return await client.GetStringAsync(url); }
                        catch (HttpRequestException) when (left > 0) { return await WithRetries(url, left - 1); }
                    }
                    """,
                    AspNetCore,
                },
                ExpectedDiagnostics =
                {
                    Verify.Diagnostic().WithLocation(0).WithArguments("in the handler of MapGet(\"/weather\")"),
                    Verify.Diagnostic().WithLocation(1).WithArguments("in the handler passed to 'Run'"),
                    Verify.Diagnostic().WithLocation(2).WithArguments("in the handler of MapGet(\"/retry\")"),
                },
            },
        }.RunAsync();

    /// <summary>
    /// Local functions that also run at start-up, or whose calls are out of sight, stay start-up code: one called
    /// once before the handlers are mapped too, one also stored in a delegate, one nobody calls, and two that only
    /// call each other (a cycle is left out, not followed).
    /// </summary>
    [Fact]
    public Task NoDiagnostic_LocalFunction_NotOnlyCalledFromHandlers()
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
                    await Warm("https://example.com");
                    app.MapGet("/weather", async () => await Warm("https://example.com/weather"));
                    Func<string, Task<string>> later = Stored;
                    app.MapGet("/stored", async () => await Stored("https://example.com/stored"));
                    app.MapGet("/ping", () => Ping(3));
                    app.Run();

                    async Task<string> Warm(string url)
                    {
                        using var client = new HttpClient();
                        return await client.GetStringAsync(url);
                    }

                    async Task<string> Stored(string url)
                    {
                        using var client = new HttpClient();
                        return await client.GetStringAsync(url);
                    }

                    async Task<string> Unused(string url)
                    {
                        using var client = new HttpClient();
                        return await client.GetStringAsync(url);
                    }

                    async Task<int> Ping(int left) => left > 0 ? await Pong(left - 1) : 0;

                    async Task<int> Pong(int left)
                    {
                        using var client = new HttpClient();
                        return (await client.GetStringAsync("https://example.com")).Length + await Ping(left);
                    }
                    """,
                    AspNetCore,
                },
            },
        }.RunAsync();

    /// <summary>Half-typed handlers, a middleware factory and local functions calling themselves or nothing known: no crash.</summary>
    [Fact]
    public Task NoCrash_HalfTypedHandlers()
        => Verify.VerifyNoCrashAsync(Usings + """
            using Microsoft.AspNetCore.Builder;

            var app = WebApplication.CreateBuilder(args).Build();
            app.Use(next => async context => { using var client = new HttpClient(; return; });
            app.Use(next => { return async context => new HttpClient().GetStringAsync(; });
            app.MapGet("/", () => Missing(Local()));
            async Task Local() { var c = new HttpClient(); await Local(); await Other(); }
            """ + AspNetCore, OutputKind.ConsoleApplication);

    /// <summary>The top-level variant has its own title and key; the field variant keeps its own; a static handler gets none.</summary>
    [Fact]
    public async Task Fix_TitlesAndKeys_PerVariant()
    {
        var actions = await FormatFixAll.ActionsAsync(new HttpClientPerOperationAnalyzer(), new HttpClientPerOperationCodeFix(), MixedTopLevelProgram, OutputKind.ConsoleApplication);
        Assert.Equal(
            new[]
            {
                Array.Empty<(string, string?)>(),
                new (string, string?)[] { ("Create one HttpClient for all requests, before the handlers", TopLevelLocalKey) },
                new (string, string?)[] { ("Create one HttpClient for all requests, before the handlers", TopLevelLocalKey) },
                new (string, string?)[] { ("Create one HttpClient before the loop, for all its iterations", TopLevelLocalKey) },
                new (string, string?)[] { ("Create one HttpClient for all requests, before the handlers", TopLevelLocalKey) },
                new (string, string?)[] { ("Move it to a static readonly HttpClient field", FieldKey) },
            },
            actions.Select(a => a.ToArray()).ToArray());
    }

    /// <summary>
    /// Fix All (as dotnet format runs it, from whichever diagnostic) hoists every client the fix is offered for, each
    /// its own way: top-level locals named in text order, each before its statement (before the first one for the
    /// local function), and a field in the class; the static handler keeps its client.
    /// </summary>
    [Fact]
    public async Task FixAll_TopLevelLocalsAndField_EachTheirOwnWay()
        => Assert.Equal(Usings + """
            using Microsoft.AspNetCore.Builder;

            var sharedHttpClient4 = new HttpClient();
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/static", static async () =>
            {
                using var client = new HttpClient();
                return await client.GetStringAsync("https://example.com/static");
            });
            var sharedHttpClient = new HttpClient();
            app.MapGet("/weather", async () =>
            {
                return await sharedHttpClient.GetStringAsync("https://example.com/weather");
            });
            var sharedHttpClient2 = new HttpClient();
            app.Use(next => async context =>
            {
                await sharedHttpClient2.GetStringAsync("https://example.com/audit");
                await next(context);
            });
            app.MapGet("/news", async () => await Fetch("https://example.com/news"));
            var sharedHttpClient3 = new HttpClient();
            for (var i = 0; i < 3; i++)
            {
                Console.WriteLine(await sharedHttpClient3.GetStringAsync("https://example.com/warm-up"));
            }
            app.Run();

            async Task<string> Fetch(string url)
            {
                return await sharedHttpClient4.GetStringAsync(url);
            }

            class Fetcher
            {
                private static readonly HttpClient SharedHttpClient = new HttpClient();

                public async Task<string> GetAsync(string url)
                {
                    return await SharedHttpClient.GetStringAsync(url);
                }
            }

            """ + AspNetCore,
            await FormatFixAll.ApplyAsync(new HttpClientPerOperationAnalyzer(), new HttpClientPerOperationCodeFix(), MixedTopLevelProgram, OutputKind.ConsoleApplication));

    /// <summary>Top-level statements with a client in each place the fix treats its own way, and a class after them.</summary>
    private const string MixedTopLevelProgram = Usings + """
        using Microsoft.AspNetCore.Builder;

        var app = WebApplication.CreateBuilder(args).Build();
        app.MapGet("/static", static async () =>
        {
            using var client = new HttpClient();
            return await client.GetStringAsync("https://example.com/static");
        });
        app.MapGet("/weather", async () =>
        {
            using var client = new HttpClient();
            return await client.GetStringAsync("https://example.com/weather");
        });
        app.Use(next => async context =>
        {
            using var client = new HttpClient();
            await client.GetStringAsync("https://example.com/audit");
            await next(context);
        });
        app.MapGet("/news", async () => await Fetch("https://example.com/news"));
        for (var i = 0; i < 3; i++)
        {
            var client = new HttpClient();
            Console.WriteLine(await client.GetStringAsync("https://example.com/warm-up"));
        }
        app.Run();

        async Task<string> Fetch(string url)
        {
            using var client = new HttpClient();
            return await client.GetStringAsync(url);
        }

        class Fetcher
        {
            public async Task<string> GetAsync(string url)
            {
                using var client = new HttpClient();
                return await client.GetStringAsync(url);
            }
        }

        """ + AspNetCore;

    /// <summary>
    /// Issue 27: top-level statements have no type for a static field, so the client becomes a local that the
    /// handlers capture, declared before the statement that maps the handler, or before the first statement for a
    /// local function (it can be passed to MapGet before its declaration).
    /// </summary>
    [Fact]
    public Task Fix_MinimalApiHandlers_InTopLevelStatements_HoistToATopLevelLocal()
        => new Verify.Test
        {
            CodeActionEquivalenceKey = TopLevelLocalKey,
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    var builder = WebApplication.CreateBuilder(args);
                    var app = builder.Build();

                    // The weather, fetched per request.
                    app.MapGet("/weather", async () =>
                    {
                        using var client = [|new HttpClient()|];
                        return await client.GetStringAsync("https://example.com");
                    });
                    app.MapGet("/news", Handle);
                    app.Run();

                    async Task<string> Handle()
                    {
                        using var client = [|new HttpClient { Timeout = TimeSpan.FromSeconds(5) }|];
                        return await client.GetStringAsync("https://example.com/news");
                    }
                    """,
                    AspNetCore,
                },
            },
            FixedState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    var sharedHttpClient2 = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                    var builder = WebApplication.CreateBuilder(args);
                    var app = builder.Build();

                    // The weather, fetched per request.
                    var sharedHttpClient = new HttpClient();
                    app.MapGet("/weather", async () =>
                    {
                        return await sharedHttpClient.GetStringAsync("https://example.com");
                    });
                    app.MapGet("/news", Handle);
                    app.Run();

                    async Task<string> Handle()
                    {
                        return await sharedHttpClient2.GetStringAsync("https://example.com/news");
                    }
                    """,
                    AspNetCore,
                },
            },
        }.RunAsync();

    /// <summary>A static lambda cannot capture a local, and top-level statements have no type for a field: no fix.</summary>
    [Fact]
    public Task NoFix_StaticHandler_InTopLevelStatements()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    var app = WebApplication.CreateBuilder(args).Build();
                    app.MapGet("/weather", static async () =>
                    {
                        using var client = [|new HttpClient()|];
                        return await client.GetStringAsync("https://example.com");
                    });
                    app.Run();
                    """,
                    AspNetCore,
                },
            },
        }.RunAsync();

    /// <summary>The same handler in Program.Main: Program holds the static field.</summary>
    [Fact]
    public Task Fix_MinimalApiHandler_InMain_HoistsToAStaticField()
        => new Verify.Test
        {
            CodeActionEquivalenceKey = FieldKey,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    static class Program
                    {
                        static void Main(string[] args)
                        {
                            var app = WebApplication.CreateBuilder(args).Build();
                            app.MapGet("/weather", async () =>
                            {
                                using var client = [|new HttpClient()|];
                                return await client.GetStringAsync("https://example.com");
                            });
                            app.Run();
                        }
                    }
                    """,
                    AspNetCore,
                },
            },
            FixedState =
            {
                Sources =
                {
                    Usings + """
                    using Microsoft.AspNetCore.Builder;

                    static class Program
                    {
                        private static readonly HttpClient SharedHttpClient = new HttpClient();

                        static void Main(string[] args)
                        {
                            var app = WebApplication.CreateBuilder(args).Build();
                            app.MapGet("/weather", async () =>
                            {
                                return await SharedHttpClient.GetStringAsync("https://example.com");
                            });
                            app.Run();
                        }
                    }
                    """,
                    AspNetCore,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_HoistsToAStaticReadonlyField_WithConstantsMovingAlong()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Fetcher
            {
                public async Task<string> GetAsync(string url)
                {
                    using var client = [|new HttpClient { Timeout = TimeSpan.FromSeconds(10) }|];
                    var text = await client.GetStringAsync(url);
                    return text + await client.GetStringAsync(url + "/more");
                }

                public Task<string> InlineAsync(string url) => [|new HttpClient()|].GetStringAsync(url);
            }
            """, Usings + """
            class Fetcher
            {
                private static readonly HttpClient SharedHttpClient = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                private static readonly HttpClient SharedHttpClient2 = new HttpClient();

                public async Task<string> GetAsync(string url)
                {
                    var text = await SharedHttpClient.GetStringAsync(url);
                    return text + await SharedHttpClient.GetStringAsync(url + "/more");
                }

                public Task<string> InlineAsync(string url) => SharedHttpClient2.GetStringAsync(url);
            }
            """);

    [Fact]
    public Task NoFix_WhenTheClientIsConfiguredPerCall_OrBuiltFromParameters()
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
                        public async Task<string> WithHeaderAsync(string url)
                        {
                            using var client = [|new HttpClient()|];
                            client.DefaultRequestHeaders.Add("X-Trace", "1");
                            return await client.GetStringAsync(url);
                        }

                        public async Task<string> FromParameterAsync(string url, TimeSpan timeout)
                        {
                            using var client = [|new HttpClient { Timeout = timeout }|];
                            return await client.GetStringAsync(url);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // Issue 25, item 1: the hoisted client is shared, so the method must not dispose it; the using goes, its body stays.
    [Fact]
    public Task Fix_UsingStatement_DropsTheUsing_KeepsTheBody()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Fetcher
            {
                public async Task<int> LengthAsync(string url)
                {
                    using (var client = [|new HttpClient()|])
                    {
                        var text = await client.GetStringAsync(url);
                        return text.Length;
                    }
                }

                public async Task<string> TwiceAsync(string url)
                {
                    var first = "";
                    using (var client = [|new HttpClient()|])
                    {
                        first = await client.GetStringAsync(url);
                        first += await client.GetStringAsync(url + "/2");
                    }
                    return first;
                }

                public async Task<string> SingleStatementAsync(string url)
                {
                    using (var client = [|new HttpClient()|])
                        return await client.GetStringAsync(url);
                }
            }
            """, Usings + """
            class Fetcher
            {
                private static readonly HttpClient SharedHttpClient = new HttpClient();
                private static readonly HttpClient SharedHttpClient2 = new HttpClient();
                private static readonly HttpClient SharedHttpClient3 = new HttpClient();

                public async Task<int> LengthAsync(string url)
                {
                    {
                        var text = await SharedHttpClient.GetStringAsync(url);
                        return text.Length;
                    }
                }

                public async Task<string> TwiceAsync(string url)
                {
                    var first = "";
                    first = await SharedHttpClient2.GetStringAsync(url);
                    first += await SharedHttpClient2.GetStringAsync(url + "/2");
                    return first;
                }

                public async Task<string> SingleStatementAsync(string url)
                {
                    return await SharedHttpClient3.GetStringAsync(url);
                }
            }
            """);

    [Fact]
    public Task Fix_UsingDeclaration_DropsTheUsing()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Fetcher
            {
                public async Task<string> GetAsync(string url)
                {
                    var prefix = url + "/";
                    using var client = [|new HttpClient()|];
                    return await client.GetStringAsync(prefix);
                }
            }
            """, Usings + """
            class Fetcher
            {
                private static readonly HttpClient SharedHttpClient = new HttpClient();

                public async Task<string> GetAsync(string url)
                {
                    var prefix = url + "/";
                    return await SharedHttpClient.GetStringAsync(prefix);
                }
            }
            """);

    // Issue 25, item 2: a construction that reads the instance cannot move to a static field initializer.
    [Fact]
    public Task NoFix_WhenTheConstructionReadsTheInstance()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Fetcher(HttpMessageHandler handler)
                    {
                        private readonly string _baseUrl = "https://example.com/";
                        private readonly System.Net.ICredentials? _credentials = null;

                        private HttpMessageHandler Handler => handler;
                        private HttpMessageHandler CreateHandler() => new HttpClientHandler();

                        public async Task<string> FromPrimaryParameterAsync(string path)
                        {
                            using var client = [|new HttpClient(handler, disposeHandler: false)|];
                            return await client.GetStringAsync(path);
                        }

                        public async Task<string> FromInstancePropertyAsync(string path)
                        {
                            using var client = [|new HttpClient(Handler, false)|];
                            return await client.GetStringAsync(path);
                        }

                        public async Task<string> FromInstanceMethodAsync(string path)
                        {
                            using var client = [|new HttpClient(CreateHandler())|];
                            return await client.GetStringAsync(path);
                        }

                        public async Task<string> HandlerFromInstanceFieldAsync(string path)
                        {
                            using var client = [|new HttpClient(new HttpClientHandler { Credentials = _credentials })|];
                            return await client.GetStringAsync(path);
                        }

                        public async Task<string> BaseAddressFromInstanceFieldAsync(string path)
                        {
                            using var client = [|new HttpClient { BaseAddress = new Uri(_baseUrl) }|];
                            return await client.GetStringAsync(path);
                        }

                        public async Task<string> FromLocalFunctionAsync(string path)
                        {
                            using var client = [|new HttpClient(Make())|];
                            return await client.GetStringAsync(path);

                            static HttpMessageHandler Make() => new HttpClientHandler();
                        }

                        public async Task<string> FromMethodTypeParameterAsync<T>(string path)
                        {
                            using var client = [|new HttpClient { BaseAddress = new Uri("https://example.com/" + typeof(T).Name) }|];
                            return await client.GetStringAsync(path);
                        }

                        public async Task<string> UsingStatementFromFieldAsync(string path)
                        {
                            using (var client = [|new HttpClient { BaseAddress = new Uri(this._baseUrl) }|])
                                return await client.GetStringAsync(path);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // Issue 25, item 2: settings changed on a shared client after its first request throw InvalidOperationException.
    [Fact]
    public Task NoFix_WhenTheClientIsMutatedAfterCreation()
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
                        public async Task<string> TimeoutAsync(string url)
                        {
                            using (var client = [|new HttpClient()|])
                            {
                                client.Timeout = TimeSpan.FromSeconds(5);
                                return await client.GetStringAsync(url);
                            }
                        }

                        public async Task<string> BaseAddressAsync(string path)
                        {
                            using (var client = [|new HttpClient()|])
                            {
                                client.BaseAddress = new Uri("https://example.com/");
                                return await client.GetStringAsync(path);
                            }
                        }

                        public async Task<string> HeadersAsync(string url)
                        {
                            using (var client = [|new HttpClient()|])
                            {
                                client.DefaultRequestHeaders.Clear();
                                client.DefaultRequestHeaders.Add("X-Trace", "1");
                                return await client.GetStringAsync(url);
                            }
                        }

                        public async Task<string> TimeoutDeclarationAsync(string url)
                        {
                            using var client = [|new HttpClient()|];
                            client.Timeout = TimeSpan.FromSeconds(5);
                            return await client.GetStringAsync(url);
                        }

                        public async Task<string> TwoDeclaratorsAsync(string url)
                        {
                            HttpClient client = [|new HttpClient()|], other = client;
                            client.BaseAddress = new Uri("https://example.com/");
                            return await other.GetStringAsync(url);
                        }

                        public async Task<string> AssignedLaterAsync(string url)
                        {
                            HttpClient client;
                            client = [|new HttpClient()|];
                            client.DefaultRequestHeaders.Add("X-Trace", "1");
                            return await client.GetStringAsync(url);
                        }

                        public async Task<string> InlineDisposedAsync(string url)
                        {
                            using ([|new HttpClient()|])
                                return await Task.FromResult(url);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // The static-safe twins of the shapes above: constants, static members and handlers built from them.
    [Fact]
    public Task Fix_StaticSafeConstruction_StillHoisted()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Fetcher
            {
                private const string BaseUrl = "https://example.com/";
                private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

                public async Task<string> GetAsync(string path)
                {
                    using (var client = [|new HttpClient(new HttpClientHandler { UseCookies = false }, true) { BaseAddress = new Uri(BaseUrl), Timeout = Limit }|])
                    {
                        return await client.GetStringAsync(path);
                    }
                }
            }
            """, Usings + """
            class Fetcher
            {
                private const string BaseUrl = "https://example.com/";
                private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
                private static readonly HttpClient SharedHttpClient = new HttpClient(new HttpClientHandler { UseCookies = false }, true) { BaseAddress = new Uri(BaseUrl), Timeout = Limit };

                public async Task<string> GetAsync(string path)
                {
                    return await SharedHttpClient.GetStringAsync(path);
                }
            }
            """);
}
