using System.Threading.Tasks;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.TokenNotForwardedAnalyzer, AsyncPitfalls.Rules.TokenNotForwardedCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

/// <summary>AP5003 with tokens that are members of the method's type (issue 29, shape 6), and <c>await foreach</c> (shape 7).</summary>
public sealed class AP5003MemberTokensTests
{
    private const string Usings = AP5001SwallowedCancellationTests.Usings;
    private const string Hosting = AP5001SwallowedCancellationTests.Hosting;

    private const string Repository = """
        public class Repository
        {
            public Task<int> CountAsync() => Task.FromResult(0);
            public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(0);
            public Task SaveAsync(string name, CancellationToken cancellationToken = default) => Task.CompletedTask;
        }

        """;

    /// <summary>Stand-ins for ASP.NET Core's HttpContext and ControllerBase.</summary>
    private const string Mvc = """
        public class HttpContext { public CancellationToken RequestAborted { get; set; } }
        public abstract class ControllerBase { public HttpContext HttpContext { get; set; } = new(); }

        """;

    [Fact]
    public Task Reports_PrimaryConstructorAndRecordTokens()
        => Verify.VerifyAnalyzerAsync(Usings + Repository + """
            // An object built for one run, with the run's token.
            sealed class ImportRun(Repository repository, CancellationToken cancellationToken)
            {
                // Read in a property's body, not an initializer: still the parameter.
                public bool Cancelled => cancellationToken.IsCancellationRequested;

                public async Task RunAsync()
                {
                    await {|#0:repository.CountAsync()|};
                    await {|#1:Task.Delay(100)|};
                    await {|#5:Task.Run(async () => await {|#2:repository.SaveAsync("a")|})|};
                }
            }

            sealed record ExportJob(Repository Repository, CancellationToken Token)
            {
                public Task RunAsync() => {|#3:Repository.SaveAsync("a")|};
            }

            // The parameter initializes a field: the field is the member to pass.
            sealed class SyncRun(Repository repository, CancellationToken token)
            {
                private readonly CancellationToken _token = token;
                private readonly Repository _repository = repository;

                public Task<int> RunAsync() => {|#4:_repository.CountAsync()|};
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Repository.CountAsync' can take a CancellationToken; pass 'cancellationToken' so it stops when the operation is cancelled"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Task.Delay", "cancellationToken"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Repository.SaveAsync", "cancellationToken"),
            Verify.Diagnostic().WithLocation(3).WithArguments("Repository.SaveAsync", "Token"),
            Verify.Diagnostic().WithLocation(5).WithArguments("Task.Run", "cancellationToken"),
            Verify.Diagnostic().WithLocation(4).WithArguments("Repository.CountAsync", "_token"));

    [Fact]
    public Task Reports_TheStoppingTokenABackgroundServiceKeeps()
        => Verify.VerifyAnalyzerAsync(Usings + Hosting + Repository + """
            sealed class Poller : Microsoft.Extensions.Hosting.BackgroundService
            {
                private readonly Repository _repository = new();
                private CancellationToken _stoppingToken;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    _stoppingToken = stoppingToken;
                    while (!stoppingToken.IsCancellationRequested)
                        await PollOnceAsync();
                }

                private async Task PollOnceAsync()
                {
                    await {|#0:_repository.CountAsync()|};
                    await {|#1:Task.Delay(1000)|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Repository.CountAsync' can take a CancellationToken; pass '_stoppingToken' so it stops when the operation is cancelled"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Task.Delay", "_stoppingToken"));

    [Fact]
    public Task Reports_TheRequestAbortedOfAnInheritedHttpContext()
        => Verify.VerifyAnalyzerAsync(Usings + Mvc + Repository + """
            sealed class OrdersController : ControllerBase
            {
                private readonly Repository _repository = new();

                public async Task<int> Count() => await {|#0:_repository.CountAsync()|};

                // The action's own token comes first.
                public async Task<int> Count(CancellationToken cancellationToken) => await {|#1:_repository.CountAsync()|} + await _repository.CountAsync(HttpContext.RequestAborted);
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Repository.CountAsync' can take a CancellationToken; pass 'HttpContext.RequestAborted' so it stops when the operation is cancelled"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Repository.CountAsync", "cancellationToken"));

    /// <summary>Tokens that stand for the object's lifetime, and places where a member token would change what the code means.</summary>
    [Fact]
    public Task LifetimeTokensAndTeardownAreQuiet()
        => Verify.VerifyAnalyzerAsync(Usings + Hosting + Repository + """
            // A long-lived connection's own shutdown token: forwarding it would change what a one-shot call means.
            sealed class Connection : IDisposable
            {
                private readonly CancellationTokenSource _disposeCts = new();
                private readonly CancellationToken _disposeToken;
                private readonly Repository _repository = new();

                public Connection() => _disposeToken = _disposeCts.Token;
                public Task<int> CountAsync() => _repository.CountAsync();
                public void Dispose() => _disposeCts.Cancel();
            }

            // A token handed to an explicit constructor may be the owner's lifetime.
            sealed class Session
            {
                private readonly CancellationToken _shutdown;
                private readonly Repository _repository = new();

                public Session(CancellationToken shutdown) => _shutdown = shutdown;
                public Task<int> CountAsync() => _repository.CountAsync();
            }

            sealed class ImportRun(Repository repository, CancellationToken cancellationToken) : IAsyncDisposable
            {
                public static Task<int> CountAllAsync(Repository other) => other.CountAsync();

                public async Task RunAsync()
                {
                    try
                    {
                        await repository.SaveAsync("a", cancellationToken);
                    }
                    catch (InvalidOperationException)
                    {
                        await repository.SaveAsync("failed");
                    }
                    finally
                    {
                        await repository.SaveAsync("done");
                    }
                }

                // A local of the same name hides the member.
                public Task<int> CountAsync(string cancellationToken) => repository.CountAsync();

                // The work reads the token itself.
                public Task SpinAsync() => Task.Run(() => repository.SaveAsync("b", cancellationToken));
                public Task LoopAsync() => Task.Run(LoopCoreAsync);
                private Task LoopCoreAsync() => repository.SaveAsync("c", cancellationToken);

                public async ValueTask DisposeAsync() => await repository.SaveAsync("closed");
                public Task StopAsync() => repository.SaveAsync("stopped");
            }

            // Two tokens: which one the call should get is a guess.
            sealed class Linked(Repository repository, CancellationToken first, CancellationToken second)
            {
                public Task<int> CountAsync() => repository.CountAsync();
            }

            // A struct's lambdas cannot reach 'this'.
            readonly record struct Batch(Repository Repository, CancellationToken Token)
            {
                public Task RunAsync()
                {
                    Func<Task> later = () => Task.Delay(1);
                    return later();
                }
            }

            sealed class Worker : Microsoft.Extensions.Hosting.BackgroundService
            {
                private readonly Repository _repository = new();
                private CancellationToken _stoppingToken;

                protected override Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    _stoppingToken = stoppingToken;
                    return Task.CompletedTask;
                }

                // The final flush must run to completion while the host stops.
                public Task StopAsync() => _repository.SaveAsync("final");
            }

            // Not a BackgroundService: a token a class stores from some method is not its run's.
            sealed class Starter
            {
                private readonly Repository _repository = new();
                private CancellationToken _startup;

                public Task StartAsync(CancellationToken cancellationToken)
                {
                    _startup = cancellationToken;
                    return Task.CompletedTask;
                }

                public Task<int> CountAsync() => _repository.CountAsync();
            }
            """);

    [Fact]
    public Task Fix_PassesTheMemberToken()
        => Verify.VerifyCodeFixAsync(Usings + Hosting + Mvc + Repository + """
            sealed class ImportRun(Repository repository, CancellationToken cancellationToken)
            {
                public async Task RunAsync()
                {
                    await [|repository.SaveAsync("a")|].ConfigureAwait(false);
                    await [|Task.Delay(100)|].ConfigureAwait(false);
                }
            }

            sealed record ExportJob(Repository Repository, CancellationToken Token)
            {
                public Task<int> RunAsync() => [|Repository.CountAsync()|];
            }

            sealed class Poller : Microsoft.Extensions.Hosting.BackgroundService
            {
                private readonly Repository _repository = new();
                private CancellationToken _stoppingToken;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    this._stoppingToken = stoppingToken;
                    await PollOnceAsync();
                }

                private Task<int> PollOnceAsync() => [|_repository.CountAsync()|];
            }

            sealed class OrdersController : ControllerBase
            {
                public Task<int> Count(Repository repository) => [|repository.CountAsync()|];
            }
            """, Usings + Hosting + Mvc + Repository + """
            sealed class ImportRun(Repository repository, CancellationToken cancellationToken)
            {
                public async Task RunAsync()
                {
                    await repository.SaveAsync("a", cancellationToken).ConfigureAwait(false);
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }

            sealed record ExportJob(Repository Repository, CancellationToken Token)
            {
                public Task<int> RunAsync() => Repository.CountAsync(Token);
            }

            sealed class Poller : Microsoft.Extensions.Hosting.BackgroundService
            {
                private readonly Repository _repository = new();
                private CancellationToken _stoppingToken;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    this._stoppingToken = stoppingToken;
                    await PollOnceAsync();
                }

                private Task<int> PollOnceAsync() => _repository.CountAsync(_stoppingToken);
            }

            sealed class OrdersController : ControllerBase
            {
                public Task<int> Count(Repository repository) => repository.CountAsync(HttpContext.RequestAborted);
            }
            """);

    /// <summary>
    /// What AP5003 reported for <c>await foreach</c> before issue 29: the call that makes the sequence, when it can take a token.
    /// A sequence that cannot (a parameter, a property, a method without a token) is now reported on the loop, with the
    /// token in scope decided as for calls: a token local or a token source local before the method's parameter.
    /// </summary>
    [Fact]
    public Task AwaitForeach_ReportsTheSequence_WithTheTokenInScope()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Feed
            {
                public async Task DrainAsync(System.Threading.Channels.Channel<int> channel, IAsyncEnumerable<int> source, CancellationToken ct)
                {
                    await foreach (var item in {|#0:channel.Reader.ReadAllAsync()|})
                        Console.WriteLine(item);
                    await foreach (var item in {|#1:source|})
                        Console.WriteLine(item);
                    await foreach (var item in {|#2:source.ConfigureAwait(false)|})
                        Console.WriteLine(item);
                }

                public async Task DrainWithLocalAsync(IAsyncEnumerable<int> source, System.Threading.Channels.Channel<int> channel, CancellationTokenSource cts)
                {
                    var token = cts.Token;
                    await foreach (var item in {|#3:source|})
                        Console.WriteLine(item);
                    await foreach (var item in {|#4:channel.Reader.ReadAllAsync()|})
                        Console.WriteLine(item);
                }

                public async Task DrainLinkedAsync(IAsyncEnumerable<int> source, CancellationToken ct)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    linked.CancelAfter(1000);
                    await foreach (var item in {|#5:source|})
                        Console.WriteLine(item);
                }
            }

            sealed record Export(IAsyncEnumerable<int> Rows, CancellationToken Token)
            {
                public async Task RunAsync()
                {
                    await foreach (var row in {|#6:Rows|})
                        Console.WriteLine(row);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("ChannelReader.ReadAllAsync", "ct"),
            Verify.Diagnostic().WithLocation(1).WithMessage("'IAsyncEnumerable.GetAsyncEnumerator' can take a CancellationToken; pass 'ct' so it stops when the operation is cancelled"),
            Verify.Diagnostic().WithLocation(2).WithArguments("IAsyncEnumerable.GetAsyncEnumerator", "ct"),
            Verify.Diagnostic().WithLocation(3).WithArguments("IAsyncEnumerable.GetAsyncEnumerator", "token"),
            Verify.Diagnostic().WithLocation(4).WithArguments("ChannelReader.ReadAllAsync", "token"),
            Verify.Diagnostic().WithLocation(5).WithArguments("IAsyncEnumerable.GetAsyncEnumerator", "linked.Token"),
            Verify.Diagnostic().WithLocation(6).WithArguments("IAsyncEnumerable.GetAsyncEnumerator", "Token"));

    [Fact]
    public Task AwaitForeach_SequencesGivenATokenOrIgnoringItAreQuiet()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Feed
            {
                public async Task DrainAsync(IAsyncEnumerable<int> source, CancellationToken ct)
                {
                    await foreach (var item in source.WithCancellation(ct))
                        Console.WriteLine(item);
                    await foreach (var item in source.WithCancellation(ct).ConfigureAwait(false))
                        Console.WriteLine(item);
                    await foreach (var item in NumbersAsync(ct))
                        Console.WriteLine(item);
                    var numbers = NumbersAsync(ct);
                    await foreach (var item in numbers)
                        Console.WriteLine(item);
                    // An iterator without [EnumeratorCancellation] ignores the enumerator's token.
                    await foreach (var item in Plain())
                        Console.WriteLine(item);
                    // No token in scope.
                    await Task.Yield();
                }

                public async Task NoTokenAsync(IAsyncEnumerable<int> source)
                {
                    await foreach (var item in source)
                        Console.WriteLine(item);
                }

                private static async IAsyncEnumerable<int> NumbersAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
                {
                    await Task.Delay(1, ct);
                    yield return 1;
                }

                private static async IAsyncEnumerable<int> Plain()
                {
                    await Task.Yield();
                    yield return 1;
                }
            }
            """);

    [Fact]
    public Task Fix_AwaitForeach_AddsWithCancellation_BeforeConfigureAwait()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Feed
            {
                public async Task DrainAsync(IAsyncEnumerable<int> source, IAsyncEnumerable<int>? other, CancellationToken ct)
                {
                    await foreach (var item in [|source|])
                        Console.WriteLine(item);
                    await foreach (var item in [|source.ConfigureAwait(false)|])
                        Console.WriteLine(item);
                    await foreach (var item in [|other ?? source|])
                        Console.WriteLine(item);
                }
            }
            """, Usings + """
            class Feed
            {
                public async Task DrainAsync(IAsyncEnumerable<int> source, IAsyncEnumerable<int>? other, CancellationToken ct)
                {
                    await foreach (var item in source.WithCancellation(ct))
                        Console.WriteLine(item);
                    await foreach (var item in source.WithCancellation(ct).ConfigureAwait(false))
                        Console.WriteLine(item);
                    await foreach (var item in (other ?? source).WithCancellation(ct))
                        Console.WriteLine(item);
                }
            }
            """);

    // A sequence enumerable by pattern (GetAsyncEnumerator(token), no IAsyncEnumerable<T>) has no WithCancellation to call:
    // the token is worth passing, but only by hand (sequence.GetAsyncEnumerator(ct) in a while loop).
    [Fact]
    public Task NoFix_AwaitForeach_OverASequenceEnumerableOnlyByPattern()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestCode = Usings + """
                sealed class Pages
                {
                    public Enumerator GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator();

                    public sealed class Enumerator
                    {
                        public int Current => 0;
                        public ValueTask<bool> MoveNextAsync() => new(false);
                    }
                }

                class Reader
                {
                    public async Task DrainAsync(Pages pages, CancellationToken ct)
                    {
                        await foreach (var page in [|pages|])
                            Console.WriteLine(page);
                    }
                }
                """,
        }.RunAsync();

    [Fact]
    public Task Fix_AwaitForeach_ImportsSystemThreadingTasks()
        => Verify.VerifyCodeFixAsync("""
            using System.Collections.Generic;
            using System.Threading;

            class Feed
            {
                public async System.Threading.Tasks.Task DrainAsync(IAsyncEnumerable<int> source, CancellationToken ct)
                {
                    await foreach (var item in [|source|])
                        System.Console.WriteLine(item);
                }
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Feed
            {
                public async System.Threading.Tasks.Task DrainAsync(IAsyncEnumerable<int> source, CancellationToken ct)
                {
                    await foreach (var item in source.WithCancellation(ct))
                        System.Console.WriteLine(item);
                }
            }
            """);

    [Fact]
    public Task HalfTypedCode_DoesNotCrash()
        => Verify.VerifyNoCrashAsync(Usings + """
            sealed class ImportRun(Repository repository, CancellationToken )
            {
                public async Task RunAsync(IAsyncEnumerable<int> source)
                {
                    await foreach (var item in )
                    await foreach (var item in source.ConfigureAwait(
                    await repository.CountAsync(
                    await Task.Delay(
                }
            }
            sealed record Job(CancellationToken Token
            {
                async Task M() => await Task.Delay(1
            }
            class W : Microsoft.Extensions.Hosting.BackgroundService
            {
                CancellationToken _t;
                protected override Task ExecuteAsync(CancellationToken s) { _t = ; _t = s }
                Task Go() => Task.Delay(
            }
            """);
}
