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
