using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.LoopIgnoresTokenAnalyzer, AsyncPitfalls.Rules.LoopIgnoresTokenCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP5004LoopIgnoresTokenTests
{
    private const string Usings = AP5001SwallowedCancellationTests.Usings;

    [Fact]
    public Task Reports_AwaitingLoops_AndEndlessLoops_ThatNeverLookAtTheToken()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Importer
            {
                public async Task ImportAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken ct)
                {
                    {|#0:foreach|} (var file in files)
                        await import(file);
                }

                public void Pump(Queue<Action> work, CancellationToken token)
                {
                    {|#1:while|} (true)
                    {
                        if (work.Count > 0)
                            work.Dequeue()();
                    }
                }

                public async Task LocalFunctionAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken ct)
                {
                    // A local function that captures no token observes nothing either.
                    async Task ImportOneAsync(string file) => await import(file);

                    {|#2:foreach|} (var file in files)
                        await ImportOneAsync(file);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("This loop in 'ImportAsync' never observes 'ct': cancelling cannot stop it between iterations; pass 'ct' on or check it"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Pump'", "token"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'LocalFunctionAsync'", "ct"));

    [Fact]
    public Task NoDiagnostic_ObservingLoops_ComputationLoops_NoTokenParameter()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Importer
            {
                public async Task PassesAsync(IEnumerable<string> files, Func<string, CancellationToken, Task> import, CancellationToken ct)
                {
                    foreach (var file in files)
                        await import(file, ct);
                }

                public async Task ChecksAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken ct)
                {
                    foreach (var file in files)
                    {
                        ct.ThrowIfCancellationRequested();
                        await import(file);
                    }
                }

                public async Task ConditionAsync(Func<Task> poll, CancellationToken ct)
                {
                    while (!ct.IsCancellationRequested)
                        await poll();
                }

                public async Task LocalFunctionAsync(IEnumerable<string> files, Func<string, CancellationToken, Task> import, CancellationToken ct)
                {
                    // The local function passes on the token it captured.
                    async Task ImportOneAsync(string file) => await import(file, ct);

                    foreach (var file in files)
                        await ImportOneAsync(file);
                }

                public async Task PassesACarrierAsync(IEnumerable<Func<Step, Task>> callbacks, CancellationToken ct)
                {
                    // The step carries the token to each callback.
                    var step = new Step { CancellationToken = ct };
                    foreach (var callback in callbacks)
                        await callback(step);
                }

                public int Sum(int[] values, CancellationToken ct)
                {
                    var sum = 0;
                    foreach (var value in values)
                        sum += value;
                    return sum;
                }

                public async Task NoTokenAsync(IEnumerable<string> files, Func<string, Task> import)
                {
                    foreach (var file in files)
                        await import(file);
                }
            }
            class Step { public CancellationToken CancellationToken { get; set; } }
            """);

    [Fact]
    public Task Fix_ChecksTheTokenAtTheTopOfTheLoop()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Importer
            {
                public async Task ImportAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken ct)
                {
                    [|foreach|] (var file in files)
                        await import(file);
                }

                public async Task DrainAsync(Queue<string> queue, Func<string, Task> send, CancellationToken ct)
                {
                    [|while|] (queue.Count > 0)
                    {
                        await send(queue.Dequeue());
                    }
                }
            }
            """, Usings + """
            class Importer
            {
                public async Task ImportAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken ct)
                {
                    foreach (var file in files)
                    {
                        ct.ThrowIfCancellationRequested();
                        await import(file);
                    }
                }

                public async Task DrainAsync(Queue<string> queue, Func<string, Task> send, CancellationToken ct)
                {
                    while (queue.Count > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        await send(queue.Dequeue());
                    }
                }
            }
            """);
}
