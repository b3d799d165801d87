using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.UndisposedResponseAnalyzer, AsyncPitfalls.Rules.UndisposedResponseCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP4003UndisposedResponseTests
{
    private const string Usings = AP4001UndisposedHttpClientTests.Usings;

    [Fact]
    public Task Reports_DroppedAndUndisposedResponses()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    var response = {|#0:await http.GetAsync("https://example.com/health")|};
                    return response.IsSuccessStatusCode;
                }

                public async Task TouchAsync(HttpClient http)
                {
                    {|#1:await http.GetAsync("https://example.com")|};
                    {|#2:(await http.PostAsync("https://example.com", null)).EnsureSuccessStatusCode()|};
                }

                public bool PingSync(HttpClient http)
                {
                    var response = {|#3:http.Send(new HttpRequestMessage(HttpMethod.Head, "https://example.com"))|};
                    return response.IsSuccessStatusCode;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("HttpResponseMessage 'response' from 'HttpClient.GetAsync' is not disposed: its connection returns to the pool only when the content is drained or the response is finalized; use 'using var response = ...'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("The HttpResponseMessage", "HttpClient.GetAsync"),
            Verify.Diagnostic().WithLocation(2).WithArguments("The HttpResponseMessage", "HttpClient.PostAsync"),
            Verify.Diagnostic().WithLocation(3).WithArguments("HttpResponseMessage 'response'", "HttpClient.Send"));

    // A local of a lambda (a request handler) is its own, not captured by it; a lambda nested in it that reads the
    // response still takes it over.
    [Fact]
    public Task ResponsesInLambdas_ReportedInTheirOwnLambda_NotWhereANestedOneTakesThemOver()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Api
            {
                public Func<HttpClient, Task<bool>> Ping = async http =>
                {
                    var response = {|#0:await http.GetAsync("https://example.com/health")|};
                    return response.IsSuccessStatusCode;
                };

                public Func<HttpClient, Task> Watch = async http =>
                {
                    var response = await http.GetAsync("https://example.com/health");
                    await Task.Run(() => response.Dispose());
                };
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("HttpResponseMessage 'response'", "HttpClient.GetAsync"));

    [Fact]
    public Task NoDiagnostic_Using_Returned_PassedOn_EnsureSuccessKept()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    using var response = await http.GetAsync("https://example.com/health");
                    return response.IsSuccessStatusCode;
                }

                public async Task<HttpResponseMessage> ForwardAsync(HttpClient http, HttpRequestMessage request)
                    => await http.SendAsync(request);

                public async Task<HttpResponseMessage> ForwardViaLocalAsync(HttpClient http)
                {
                    var response = await http.GetAsync("https://example.com");
                    return response.EnsureSuccessStatusCode();
                }

                public async Task LogAsync(HttpClient http, Action<HttpResponseMessage> log)
                {
                    log(await http.GetAsync("https://example.com"));
                    using var kept = (await http.GetAsync("https://example.com")).EnsureSuccessStatusCode();
                }
            }
            """);

    [Fact]
    public Task Fix_UsingVarResponse()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    var response = [|await http.GetAsync("https://example.com/health")|];
                    return response.IsSuccessStatusCode;
                }

                public async Task TouchAsync(HttpClient http)
                {
                    [|await http.GetAsync("https://example.com")|];
                }
            }
            """, Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    using var response = await http.GetAsync("https://example.com/health");
                    return response.IsSuccessStatusCode;
                }

                public async Task TouchAsync(HttpClient http)
                {
                    using var response = await http.GetAsync("https://example.com");
                }
            }
            """);

    // Fix All gave both dropped responses of one method the name 'response': CS0128.
    [Fact]
    public Task FixAll_NamesEachDroppedResponseOfOneMethodApart()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Api
            {
                public async Task WarmUpAsync(HttpClient http)
                {
                    [|await http.GetAsync("https://example.com/a")|];
                    [|await http.GetAsync("https://example.com/b")|];
                }
            }
            """, Usings + """
            class Api
            {
                public async Task WarmUpAsync(HttpClient http)
                {
                    using var response = await http.GetAsync("https://example.com/a");
                    using var response2 = await http.GetAsync("https://example.com/b");
                }
            }
            """);

    // C# 7.3 (netstandard2.0, .NET Framework) has no using declaration: 'using var response' did not compile there (CS8370).
    [Fact]
    public Task Fix_BelowCSharp8_MovesTheRestOfTheBlockIntoAUsingStatement()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    var response = [|await http.GetAsync("https://example.com/health")|];
                    return response.IsSuccessStatusCode;
                }

                public async Task TouchAsync(HttpClient http)
                {
                    [|await http.GetAsync("https://example.com")|];
                    Console.WriteLine("touched");
                }
            }
            """, Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    using var response = await http.GetAsync("https://example.com/health");
                    return response.IsSuccessStatusCode;
                }

                public async Task TouchAsync(HttpClient http)
                {
                    using var response = await http.GetAsync("https://example.com");
                    Console.WriteLine("touched");
                }
            }
            """, fixedSourceAtCSharp7_3: Usings + """
            class Api
            {
                public async Task<bool> PingAsync(HttpClient http)
                {
                    using (var response = await http.GetAsync("https://example.com/health"))
                    {
                        return response.IsSuccessStatusCode;
                    }
                }

                public async Task TouchAsync(HttpClient http)
                {
                    using (var response = await http.GetAsync("https://example.com"))
                    {
                        Console.WriteLine("touched");
                    }
                }
            }
            """);
}
