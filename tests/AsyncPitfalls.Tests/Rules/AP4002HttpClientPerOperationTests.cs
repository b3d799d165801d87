using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.HttpClientPerOperationAnalyzer, AsyncPitfalls.Rules.HttpClientPerOperationCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP4002HttpClientPerOperationTests
{
    private const string Usings = AP4001UndisposedHttpClientTests.Usings;

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
                private static readonly HttpClient SharedHttpClient2 = new HttpClient();
                private static readonly HttpClient SharedHttpClient = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

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
}
