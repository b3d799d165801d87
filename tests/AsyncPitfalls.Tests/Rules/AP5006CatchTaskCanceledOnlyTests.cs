using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.CatchTaskCanceledOnlyAnalyzer, AsyncPitfalls.Rules.CatchTaskCanceledOnlyCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP5006CatchTaskCanceledOnlyTests
{
    private const string Usings = AP5001SwallowedCancellationTests.Usings;

    [Fact]
    public Task Reports_TaskCanceledAlone_NotBesideOperationCanceled()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    {|#0:catch (TaskCanceledException)|} { throw; }

                    try { await work(ct); }
                    catch (TaskCanceledException) { throw; }
                    catch (OperationCanceledException) { throw; }

                    try { await work(ct); }
                    catch (OperationCanceledException) { throw; }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'catch (TaskCanceledException)' in async method 'RunAsync' misses the OperationCanceledException that ThrowIfCancellationRequested, channels and most libraries throw; catch OperationCanceledException"));

    [Fact]
    public Task Fix_CatchesOperationCanceledException()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    [|catch (TaskCanceledException ex)|] { Console.WriteLine(ex.Message); throw; }
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (OperationCanceledException ex) { Console.WriteLine(ex.Message); throw; }
                }
            }
            """);

    [Fact]
    public Task NoFix_WhenTheHandlerReadsTheCanceledTask()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Worker
                    {
                        public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                        {
                            try { await work(ct); }
                            [|catch (TaskCanceledException ex)|] { Console.WriteLine(ex.Task?.Id); throw; }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // The fix changed the caught type under a TaskCanceledException local: CS0266 (found on real code, Azure Service Bus).
    [Fact]
    public Task NoFix_WhenTheExceptionGoesWhereATaskCanceledExceptionIsWanted()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Worker
                    {
                        private TaskCanceledException? _last;

                        public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                        {
                            try { await work(ct); }
                            [|catch (TaskCanceledException c)|] { TaskCanceledException last = c; _last = last; }
                        }

                        public async Task RememberAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                        {
                            try { await work(ct); }
                            [|catch (TaskCanceledException c)|] { Remember(c); }
                        }

                        private void Remember(TaskCanceledException canceled) => _last = canceled;
                    }
                    """,
                },
            },
        }.RunAsync();

    // Its look-alike: the exception read as an OperationCanceledException or an Exception, thrown, logged, interpolated.
    [Fact]
    public Task Fix_WhenEveryUseTakesTheWiderType()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, Action<Exception> log, CancellationToken ct)
                {
                    try { await work(ct); }
                    [|catch (TaskCanceledException c)|] { log(c); Console.WriteLine($"{c} {c.CancellationToken.IsCancellationRequested}"); throw c; }
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, Action<Exception> log, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (OperationCanceledException c) { log(c); Console.WriteLine($"{c} {c.CancellationToken.IsCancellationRequested}"); throw c; }
                }
            }
            """);
}
