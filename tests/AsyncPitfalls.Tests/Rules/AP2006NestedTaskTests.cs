using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.NestedTaskAnalyzer, AsyncPitfalls.Rules.NestedTaskCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2006NestedTaskTests
{
    private const string Usings = AP2001DiscardedTaskTests.Usings;

    [Fact]
    public Task Reports_StartNewWithAsyncDelegate_AndNewTaskWithAsyncLambda()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task RunAsync()
                {
                    await {|#0:Task.Factory.StartNew(async () => await Task.Delay(100))|};
                    var outer = {|#1:Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; }, TaskCreationOptions.LongRunning)|};
                    await outer;
                    var cold = {|#2:new Task(async () => await Task.Delay(100))|};
                    cold.Start();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Task.Factory.StartNew' with an async delegate gives a task that completes at the delegate's first await, not when its work ends; use Task.Run or call Unwrap()"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Task.Factory.StartNew'", "use Task.Run or call Unwrap()"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'new Task'", "use Task.Run, or new Task<Task>(...) and Unwrap()"));

    [Fact]
    public Task NoDiagnostic_Unwrapped_DoubleAwaited_SyncDelegates_TaskRun()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async Task RunAsync()
                {
                    await Task.Factory.StartNew(async () => await Task.Delay(100)).Unwrap();
                    await await Task.Factory.StartNew(async () => await Task.Delay(100));
                    await Task.Factory.StartNew(() => Thread.Sleep(100), TaskCreationOptions.LongRunning);
                    await Task.Run(async () => await Task.Delay(100));
                    var cold = new Task(() => Console.WriteLine());
                    cold.Start();
                }
            }
            """);

    [Fact]
    public Task Fix_StartNewBecomesTaskRun_WithOrWithoutToken()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task RunAsync(CancellationToken ct)
                {
                    await [|Task.Factory.StartNew(async () => await Task.Delay(100))|];
                    await [|Task.Factory.StartNew(async () => await Task.Delay(100, ct), ct)|];
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync(CancellationToken ct)
                {
                    await Task.Run(async () => await Task.Delay(100));
                    await Task.Run(async () => await Task.Delay(100, ct), ct);
                }
            }
            """);
}
