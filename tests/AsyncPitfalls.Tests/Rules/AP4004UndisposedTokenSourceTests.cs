using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
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
}
