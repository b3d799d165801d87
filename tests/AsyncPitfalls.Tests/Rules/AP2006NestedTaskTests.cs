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

    // Issue 25: the code unwraps the nested task itself, by awaiting twice: nothing to report, and Task.Run
    // would not even compile there (Task<int> is no Task<Task<int>>).
    [Fact]
    public Task NoDiagnostic_NestedTaskKeptInALocalAndAwaitedTwice()
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
                        public async Task<int> RunAsync()
                        {
                            Task<Task<int>> outer = Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; });
                            var inner = await outer;
                            var v = await inner;
                            Task<Task> second;
                            second = Task.Factory.StartNew(async () => await Task.Delay(100));
                            await await second;
                            var third = Task.Factory.StartNew(async () => await Task.Delay(100));
                            await third.Unwrap();
                            return v;
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // Reported (the outer task alone is awaited), but Task.Run's Task<int> does not fit the declared Task<Task<int>>,
    // nor would 'next' stay a task: no fix.
    [Fact]
    public Task NoFix_WhenTheNestedTaskTypeIsKept()
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
                        public async Task RunAsync()
                        {
                            Task<Task<int>> outer = [|Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; })|];
                            await outer;
                            var started = [|Task.Factory.StartNew(async () => await Task.Delay(100))|];
                            Task next = await started;
                            Console.WriteLine(next.Status);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_StartNewBecomesTaskRun_WhereATaskIsExpected()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public Task RunAsync() => [|Task.Factory.StartNew(async () => await Task.Delay(100))|];
            }
            """, Usings + """
            class Worker
            {
                public Task RunAsync() => Task.Run(async () => await Task.Delay(100));
            }
            """);


    // Issue 25: Task.Run has no options, scheduler or state, and would drop a TaskFactory's own: such a call
    // keeps its arguments and is unwrapped. One Fix All applies both rewrites, each where it fits.
    [Fact]
    public Task Fix_AppendsUnwrap_WhereTaskRunWouldDropOptionsSchedulerStateOrFactory()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                private readonly TaskFactory _factory = new(TaskScheduler.Default);

                public async Task RunAsync(CancellationToken ct)
                {
                    await [|Task.Factory.StartNew(async () => await Task.Delay(100), TaskCreationOptions.LongRunning)|];
                    await [|Task.Factory.StartNew(async () => await Task.Delay(100, ct), ct, TaskCreationOptions.DenyChildAttach, TaskScheduler.Current)|];
                    await [|Task.Factory.StartNew(async state => await Task.Delay((int)state!), 100)|];
                    await [|_factory.StartNew(async () => await Task.Delay(100))|];
                    await [|Task.Factory.StartNew(async () => await Task.Delay(100))|];
                }

                public Task CountAsync() => [|Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; }, TaskCreationOptions.LongRunning)|];
            }
            """, Usings + """
            class Worker
            {
                private readonly TaskFactory _factory = new(TaskScheduler.Default);

                public async Task RunAsync(CancellationToken ct)
                {
                    await Task.Factory.StartNew(async () => await Task.Delay(100), TaskCreationOptions.LongRunning).Unwrap();
                    await Task.Factory.StartNew(async () => await Task.Delay(100, ct), ct, TaskCreationOptions.DenyChildAttach, TaskScheduler.Current).Unwrap();
                    await Task.Factory.StartNew(async state => await Task.Delay((int)state!), 100).Unwrap();
                    await _factory.StartNew(async () => await Task.Delay(100)).Unwrap();
                    await Task.Run(async () => await Task.Delay(100));
                }

                public Task CountAsync() => Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; }, TaskCreationOptions.LongRunning).Unwrap();
            }
            """);

    // Unwrap() changes the type as Task.Run does: not where the nested type is kept; and it is an extension
    // method of System.Threading.Tasks, which does not bind in a file that does not import it.
    [Fact]
    public Task NoUnwrap_WhenTheNestedTypeIsKept_OrTheExtensionIsNotInScope()
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
                        public async Task RunAsync()
                        {
                            Task<Task<int>> outer = [|Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; }, TaskCreationOptions.LongRunning)|];
                            await outer;
                        }
                    }
                    """,
                    """
                    class Unimported
                    {
                        public async System.Threading.Tasks.Task RunAsync()
                            => await [|System.Threading.Tasks.Task.Factory.StartNew(async () => await System.Threading.Tasks.Task.Delay(100), System.Threading.Tasks.TaskCreationOptions.LongRunning)|];
                    }
                    """,
                },
            },
        }.RunAsync();
}
