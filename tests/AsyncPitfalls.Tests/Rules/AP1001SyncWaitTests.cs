using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.SyncWaitAnalyzer, AsyncPitfalls.Rules.SyncWaitCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP1001SyncWaitTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Positive shapes ----

    [Fact]
    public Task Reports_Result_NamingTheTaskAndTheMethod()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Downloader
            {
                public async Task<int> SizeAsync(HttpClient http)
                {
                    var download = http.GetStringAsync("https://example.com");
                    await Task.Yield();
                    return {|#0:download.Result|}.Length;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'.Result' on 'download' waits synchronously in async method 'SizeAsync'; use 'await'"));

    [Fact]
    public Task Reports_Wait_GetResult_WaitAll_WaitAny_AndValueTaskResult()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);
                private static ValueTask<int> ReadAsync() => new ValueTask<int>(Task.Run(() => 2));

                public async Task RunAsync()
                {
                    var a = ComputeAsync();
                    var b = ComputeAsync();
                    {|#0:a.Wait()|};
                    var c = {|#1:ComputeAsync().GetAwaiter().GetResult()|};
                    var d = {|#2:ComputeAsync().ConfigureAwait(false).GetAwaiter().GetResult()|};
                    {|#3:Task.WaitAll(a, b)|};
                    var first = {|#4:Task.WaitAny(a, b)|};
                    var e = {|#5:ReadAsync().Result|};
                    await Task.Yield();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'.Wait()' on 'a'", "async method 'RunAsync'", "await"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'.GetAwaiter().GetResult()' on 'ComputeAsync()'", "async method 'RunAsync'", "await"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'.GetAwaiter().GetResult()' on 'ComputeAsync()'", "async method 'RunAsync'", "await"),
            Verify.Diagnostic().WithLocation(3).WithArguments("'Task.WaitAll'", "async method 'RunAsync'", "await Task.WhenAll"),
            Verify.Diagnostic().WithLocation(4).WithArguments("'Task.WaitAny'", "async method 'RunAsync'", "await Task.WhenAny"),
            Verify.Diagnostic().WithLocation(5).WithArguments("'.Result' on 'ReadAsync()'", "async method 'RunAsync'", "await"));

    [Fact]
    public Task Reports_InLambdasLocalFunctionsTaskReturningMethods()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public Func<Task<int>> Lambda = async () => [|ComputeAsync().Result|];

                public Task<int> NotAsync() => Task.FromResult([|ComputeAsync().Result|]);

                public void Start()
                {
                    _ = Local();
                    async Task<int> Local() { await Task.Yield(); return [|ComputeAsync().Result|]; }
                }
            }
            """);

    [Fact]
    public Task Reports_WhenOnlySomePathsAwaited_OrTheTaskWasReassigned()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task<int> OneBranchAsync(bool fast)
                {
                    var t = ComputeAsync();
                    if (fast)
                        await t;
                    return [|t.Result|];
                }

                public async Task<int> ReassignedAsync()
                {
                    var t = ComputeAsync();
                    await t;
                    t = ComputeAsync();
                    return [|t.Result|];
                }

                public async Task<int> OtherTaskAwaitedAsync()
                {
                    var t = ComputeAsync();
                    var u = ComputeAsync();
                    await Task.WhenAll(u);
                    return [|t.Result|];
                }

                public async Task<int> ItemAddedAfterWhenAllAsync()
                {
                    var tasks = new List<Task<int>> { ComputeAsync() };
                    await Task.WhenAll(tasks);
                    tasks.Add(ComputeAsync());
                    var sum = 0;
                    foreach (var task in tasks)
                        sum += [|task.Result|];
                    return sum;
                }
            }
            """);

    // ---- Negative shapes: tasks known to be complete ----

    [Fact]
    public Task NoDiagnostic_AfterAwaitOnEveryPath()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task<int> AwaitedAsync()
                {
                    var t = ComputeAsync();
                    await t;
                    return t.Result;
                }

                public async Task<int> AwaitedWithConfigureAwaitAsync()
                {
                    var t = ComputeAsync();
                    await t.ConfigureAwait(false);
                    return t.Result + t.GetAwaiter().GetResult();
                }

                public async Task<int> BothBranchesAsync(bool fast)
                {
                    var t = ComputeAsync();
                    if (fast)
                        await t;
                    else
                        await Task.WhenAll(t, Task.Delay(1));
                    return t.Result;
                }

                public async Task<int> InLoopAfterAwaitAsync()
                {
                    var t = ComputeAsync();
                    await t;
                    var sum = 0;
                    for (var i = 0; i < 3; i++)
                        sum += t.Result;
                    return sum;
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_AfterAwaitedWhenAll_OnTheTasksAndOnCollections()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task<int> PairAsync()
                {
                    var a = ComputeAsync();
                    var b = ComputeAsync();
                    await Task.WhenAll(a, b);
                    return a.Result + b.Result;
                }

                public async Task<int> ListAsync()
                {
                    var tasks = Enumerable.Range(0, 3).Select(_ => ComputeAsync()).ToList();
                    await Task.WhenAll(tasks);
                    var sum = tasks[0].Result;
                    foreach (var task in tasks)
                        sum += task.Result;
                    return sum + tasks.Sum(t => t.Result);
                }

                public async Task<int> ArrayAsync()
                {
                    Task<int>[] tasks = { ComputeAsync(), ComputeAsync() };
                    await Task.WhenAll(tasks).ConfigureAwait(false);
                    return tasks[1].Result;
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_GuardedByCompletionChecks()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Cache
            {
                private Task<string> _pending = Task.FromResult("");

                public async Task<string> GetAsync()
                {
                    if (_pending.IsCompletedSuccessfully)
                        return _pending.Result;
                    return await _pending;
                }

                public async Task<string> GetOrWaitAsync()
                {
                    var t = _pending;
                    if (!t.IsCompleted)
                        await t;
                    return t.Result;
                }

                public async Task<string> TernaryAsync()
                {
                    var t = _pending;
                    return t.IsCompleted ? t.Result : await t;
                }

                public async Task<string> StatusAsync()
                {
                    var t = _pending;
                    if (t.Status != TaskStatus.RanToCompletion)
                        throw new InvalidOperationException();
                    await Task.Yield();
                    return t.Result;
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_GuardedByTheProjectsOwnChecks_StoredChecks_AndChecksOnMemberPaths()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class TaskChecks
            {
                public static bool IsDone(this Task task) => task.Status == TaskStatus.RanToCompletion;
                public static bool IsCompletedSuccessfully(Task task) { return task.IsCompletedSuccessfully; }
            }
            interface INode { Task<string> Value { get; } }
            sealed class Entry
            {
                private readonly TaskCompletionSource<string> _source = new();

                // A property whose whole body is the completion test of the task it guards.
                public bool IsReady => _source.Task.Status == TaskStatus.RanToCompletion;

                public Task DropAsync()
                {
                    if (IsReady)
                        Console.WriteLine(_source.Task.Result);
                    return Task.CompletedTask;
                }
            }
            sealed class Cache
            {
                public async Task<string> ReadAsync(INode node)
                    => !TaskChecks.IsCompletedSuccessfully(node.Value) ? await node.Value : node.Value.GetAwaiter().GetResult();

                public async Task<string> PeekAsync(Task<string> pending)
                {
                    if (pending.IsDone())
                        return pending.Result;
                    return await pending;
                }
            }
            sealed class Agent
            {
                public Task<string> Context { get; } = Task.FromResult("c");
            }
            sealed class Forwarder
            {
                public async Task<string> SendAsync(Agent agent)
                    => agent.Context.Status != TaskStatus.RanToCompletion ? await agent.Context : agent.Context.Result;

                public async Task<int> FailAsync(Body? body)
                {
                    // The check is stored first and tested later; the local is never written again.
                    bool copied = body?.Copy.IsCompleted ?? false;
                    await Task.Yield();
                    if (copied)
                        return body!.Copy.Result;
                    return 0;
                }
            }
            sealed class Body { public Task<int> Copy { get; set; } = Task.FromResult(1); }
            """);

    [Fact]
    public Task Reports_WhenTheOwnCheckTestsAnotherTask_TheStoredCheckIsRewritten_OrThePathDiffers()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class TaskChecks
            {
                // Named like a completion check, but tests nothing about the task.
                public static bool IsReady(this Task task) => task != null;
            }
            sealed class Entry
            {
                private readonly TaskCompletionSource<string> _source = new();
                private readonly TaskCompletionSource<string> _other = new();

                public bool IsReady => _other.Task.Status == TaskStatus.RanToCompletion;

                public Task DropAsync()
                {
                    if (IsReady)
                        Console.WriteLine([|_source.Task.Result|]);
                    return Task.CompletedTask;
                }
            }
            sealed class Agent
            {
                public Task<string> Context { get; } = Task.FromResult("c");
                public Task<string> Backup { get; } = Task.FromResult("b");
            }
            sealed class Forwarder
            {
                public async Task<string> PeekAsync(Task<string> pending)
                    => pending.IsReady() ? [|pending.Result|] : await pending;

                public async Task<string> SendAsync(Agent agent)
                    => agent.Backup.Status != TaskStatus.RanToCompletion ? await agent.Backup : [|agent.Context.Result|];

                public async Task<int> FailAsync(Body body, bool retry)
                {
                    bool copied = body.Copy.IsCompleted;
                    if (retry)
                        copied = true;
                    await Task.Yield();
                    return copied ? [|body.Copy.Result|] : 0;
                }
            }
            sealed class Body { public Task<int> Copy { get; set; } = Task.FromResult(1); }
            """);

    [Fact]
    public Task NoDiagnostic_TimeoutPattern_WinnerComparedWithTheTask()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task<int> InlineAsync()
                {
                    var work = ComputeAsync();
                    if (await Task.WhenAny(work, Task.Delay(1000)) == work)
                        return work.Result;
                    throw new TimeoutException();
                }

                public async Task<int> WinnerVariableAsync()
                {
                    var work = ComputeAsync();
                    var winner = await Task.WhenAny(work, Task.Delay(1000)).ConfigureAwait(false);
                    if (winner != work)
                        throw new TimeoutException();
                    return work.Result;
                }

                public async Task<int> OtherVariableAsync(Task other)
                {
                    var work = ComputeAsync();
                    await Task.Yield();
                    if (other == work)
                        return [|work.Result|];
                    return 0;
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_AfterAssertingCompletion_InTests()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class Assert { public static void True(bool condition) { } public static void False(bool condition) { } }
            class Tests
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task CompletesSynchronously()
                {
                    var t = ComputeAsync();
                    await Task.Yield();
                    Assert.True(t.IsCompletedSuccessfully);
                    System.Diagnostics.Debug.Assert(t.IsCompleted);
                    Assert.True(t.Result == 1);
                }

                public async Task AssertsTheOpposite()
                {
                    var t = ComputeAsync();
                    await Task.Yield();
                    Assert.False(t.IsCompleted);
                    Assert.True(!t.IsCompleted);
                    _ = [|t.Result|];
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_CompleteByConstruction_AndWhenAnyWinner()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task<int> RunAsync()
                {
                    var a = Task.FromResult(1).Result;
                    Task.CompletedTask.Wait();
                    var b = new ValueTask<int>(5).Result;
                    var winner = await Task.WhenAny(ComputeAsync(), ComputeAsync());
                    var c = (await Task.WhenAny(ComputeAsync(), ComputeAsync())).Result;
                    return a + b + c + winner.Result;
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_ZeroTimeoutTries_SemaphoreWaitAsyncZero_AndTaskWaitZero()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connection
            {
                private readonly SemaphoreSlim _lock = new(1, 1);

                // WaitAsync(0) takes the lock or answers false at once: the task is complete when returned.
                public async Task<bool> TryEnterAsync(Task pending)
                {
                    await Task.Yield();
                    var entered = _lock.WaitAsync(0).Result || _lock.WaitAsync(TimeSpan.Zero).GetAwaiter().GetResult();
                    return entered && pending.Wait(0);
                }
            }
            """);

    [Fact]
    public Task Reports_SemaphoreWaitAsyncWithATimeout_AndTaskWaitWithATimeout()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connection
            {
                private readonly SemaphoreSlim _lock = new(1, 1);

                public async Task<bool> TryEnterAsync(Task pending)
                {
                    await Task.Yield();
                    var entered = [|_lock.WaitAsync(100).Result|] || [|_lock.WaitAsync(TimeSpan.FromSeconds(1)).GetAwaiter().GetResult()|];
                    return entered && [|pending.Wait(50)|];
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_SyncCode_SyncLambdas_ContinueWith_AndSyncMain()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Program
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public static void Main()
                {
                    Console.WriteLine(ComputeAsync().Result);
                }

                public int Sync() => ComputeAsync().Result;

                public async Task RunAsync()
                {
                    var total = await ComputeAsync().ContinueWith(t => t.Result + 1);
                    await Task.Run(() => ComputeAsync().Result);
                    var thread = new Thread(() => ComputeAsync().Wait());
                    thread.Start();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_LookAlikes()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Outcome { public int Result { get; set; } public void Wait() { } }
            class Worker
            {
                public async Task<int> RunAsync(Outcome outcome, Lazy<int> lazy)
                {
                    outcome.Wait();
                    await Task.Yield();
                    return outcome.Result + lazy.Value;
                }
            }
            """);

    // ---- Negative shapes: code that serves both modes (libraries such as Npgsql and Polly) ----

    [Fact]
    public Task NoDiagnostic_InFunctionsThatTakeTheModeAsAFlag_OrInBranchesAFlagSelects()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Context { public bool IsSynchronous { get; set; } }
            class Connection
            {
                private Task _send = Task.CompletedTask;

                // One body for Flush() and FlushAsync(): the caller picks the mode.
                internal async Task Flush(bool async)
                {
                    if (async)
                        await _send;
                    else
                        _send.GetAwaiter().GetResult();
                }

                internal Task Drain(bool isAsync)
                {
                    _send.Wait();
                    return Task.CompletedTask;
                }

                internal static Task DelayAsync(Context context, TimeSpan delay)
                {
                    if (context.IsSynchronous)
                    {
                        Task.Delay(delay).GetAwaiter().GetResult();
                        return Task.CompletedTask;
                    }
                    return Task.Delay(delay);
                }

                internal async Task<int> ReadAsync(Task<int> pending, bool runSynchronously)
                    => runSynchronously ? pending.Result : await pending;
            }
            """);

    [Fact]
    public Task Reports_InBranchesOfOtherConditions_AndWhenTheFlagIsOnlyTheCondition()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connection
            {
                private Task _send = Task.CompletedTask;
                private bool _async;

                internal async Task Flush(bool fast)
                {
                    if (fast)
                        {|#0:_send.Wait()|};
                    await Task.Yield();
                }

                // The flag decides whether to wait, not which way: the wait blocks in async code either way.
                internal async Task Close()
                {
                    if ({|#1:_send.Wait(100)|} && _async)
                        return;
                    await Task.Yield();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'.Wait()' on '_send'", "async method 'Flush'", "await"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'.Wait()' on '_send'", "async method 'Close'", "await"));

    [Fact]
    public Task NoDiagnostic_SyncTopLevelStatements_Reports_AsyncOnes()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources = { Usings + "var n = Task.Run(() => 1).Result;\nConsole.WriteLine(n);\n" },
            },
        }.RunAsync();

    // ---- Code fix ----

    [Fact]
    public Task Fix_Result_AwaitsWithParenthesesWhereNeeded()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Downloader
            {
                public async Task<int> SizeAsync(HttpClient http)
                {
                    var download = http.GetStringAsync("https://example.com");
                    await Task.Yield();
                    return [|download.Result|].Length;
                }
            }
            """, Usings + """
            class Downloader
            {
                public async Task<int> SizeAsync(HttpClient http)
                {
                    var download = http.GetStringAsync("https://example.com");
                    await Task.Yield();
                    return (await download).Length;
                }
            }
            """);

    [Fact]
    public Task Fix_Wait_GetResult_WaitAll_WaitAny()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task RunAsync()
                {
                    var a = ComputeAsync();
                    var b = ComputeAsync();
                    [|a.Wait()|];
                    var c = [|ComputeAsync().GetAwaiter().GetResult()|];
                    var d = [|ComputeAsync().ConfigureAwait(false).GetAwaiter().GetResult()|];
                    [|Task.WaitAll(a, b)|];
                    [|Task.WaitAny(a, b)|];
                    Task<int>[] all = { a, b };
                    var first = [|Task.WaitAny(all)|];
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task RunAsync()
                {
                    var a = ComputeAsync();
                    var b = ComputeAsync();
                    await a;
                    var c = await ComputeAsync();
                    var d = await ComputeAsync().ConfigureAwait(false);
                    await Task.WhenAll(a, b);
                    await Task.WhenAny(a, b);
                    Task<int>[] all = { a, b };
                    var first = [|Task.WaitAny(all)|];
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Fix_TaskReturningMethod_BecomesAsync_AndUnwrapsFromResult()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public Task<int> DoubleAsync() => Task.FromResult([|ComputeAsync().Result|] * 2);

                public Task<int> PassThroughAsync() => Task.FromResult([|ComputeAsync().Result|]);
            }
            """, Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);

                public async Task<int> DoubleAsync() => await ComputeAsync() * 2;

                public async Task<int> PassThroughAsync() => await ComputeAsync();
            }
            """);

    [Fact]
    public Task Fix_FollowsConfigureAwaitFalse_AndFixesNestedWaitsTogether()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);
                private static Task<int> TwiceAsync(int value) => Task.FromResult(value * 2);

                public async Task<int> RunAsync()
                {
                    await Task.Delay(1).ConfigureAwait(false);
                    return [|TwiceAsync([|ComputeAsync().Result|]).Result|];
                }
            }
            """, Usings + """
            class Worker
            {
                private static Task<int> ComputeAsync() => Task.Run(() => 1);
                private static Task<int> TwiceAsync(int value) => Task.FromResult(value * 2);

                public async Task<int> RunAsync()
                {
                    await Task.Delay(1).ConfigureAwait(false);
                    return await TwiceAsync(await ComputeAsync().ConfigureAwait(false)).ConfigureAwait(false);
                }
            }
            """);

    [Fact]
    public Task NoFix_WaitsWithTimeouts_AndUsedWaitAnyIndexOverLooseTasks()
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
                        private static Task<int> ComputeAsync() => Task.Run(() => 1);

                        public async Task<bool> RunAsync(CancellationToken ct)
                        {
                            var a = ComputeAsync();
                            var b = ComputeAsync();
                            var done = [|a.Wait(100)|];
                            [|b.Wait(100, ct)|];
                            [|ComputeAsync().Wait(TimeSpan.FromSeconds(1))|];
                            [|Task.WaitAll(new Task[] { a, b }, 1000)|];
                            var index = [|Task.WaitAny(a, b)|];
                            await Task.Yield();
                            return done && index == 0;
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    /// <summary>
    /// Task.WaitAny becomes Task.WhenAny only where that race leaves nothing running, which AP5005 accepts: inside
    /// a loop that takes the tasks in turn, or with the tasks awaited elsewhere. The fixed code raises nothing.
    /// </summary>
    [Fact]
    public async Task Fix_WaitAny_WhereTheRaceLeavesNothingRunning()
    {
        const string Fixed = Usings + """
            class Worker
            {
                public async Task DrainAsync(List<Task> pending)
                {
                    while (pending.Count > 0)
                    {
                        var batch = pending.ToArray();
                        var index = Array.IndexOf(batch, await Task.WhenAny(batch));
                        pending.RemoveAt(index);
                    }
                }

                public async Task<int> BothAsync(Task<int> primary, Task<int> mirror)
                {
                    await Task.WhenAny(primary, mirror);
                    return await primary + await mirror;
                }
            }
            """;
        await Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task DrainAsync(List<Task> pending)
                {
                    while (pending.Count > 0)
                    {
                        var batch = pending.ToArray();
                        var index = [|Task.WaitAny(batch)|];
                        pending.RemoveAt(index);
                    }
                }

                public async Task<int> BothAsync(Task<int> primary, Task<int> mirror)
                {
                    [|Task.WaitAny(primary, mirror)|];
                    return await primary + await mirror;
                }
            }
            """, Fixed);
        Assert.Empty(await AP5005WhenAnyLeavesWorkRunningTests.PackageDiagnosticsAsync(Fixed));
    }

    /// <summary>
    /// A WaitAny whose WhenAny would leave the other tasks running (first-wins, or a timeout made of Task.Delay)
    /// gets no fix: the rewrite would trade AP1001 for AP5005, as the package's analyzers show on it.
    /// </summary>
    [Fact]
    public async Task NoFix_WaitAny_WhoseWhenAnyWouldLeaveTasksRunning()
    {
        await new Verify.Test
        {
            TestCode = Usings + """
                class Worker
                {
                    public async Task<string> FirstAsync(Task<string> primary, Task<string> mirror, Task<string> work)
                    {
                        [|Task.WaitAny(primary, mirror)|];
                        [|Task.WaitAny(work, Task.Delay(1000))|];
                        Task<string>[] both = { primary, mirror };
                        var index = [|Task.WaitAny(both)|];
                        await Task.Yield();
                        return index.ToString();
                    }
                }
                """,
            ExpectNoFix = true,
        }.RunAsync();

        var rewritten = await AP5005WhenAnyLeavesWorkRunningTests.PackageDiagnosticsAsync(Usings + """
            class Worker
            {
                public async Task FirstAsync(Task<string> primary, Task<string> mirror)
                {
                    await Task.WhenAny(primary, mirror);
                }
            }
            """);
        Assert.Contains(rewritten, d => d.StartsWith("AP5005:", System.StringComparison.Ordinal));
    }

    /// <summary>
    /// t.Wait(token) becomes await t.WaitAsync(token): both end with OperationCanceledException when the token
    /// fires. (The timeout overloads return false where WaitAsync throws: no fix, above.)
    /// </summary>
    [Fact]
    public Task Fix_WaitWithToken_BecomesWaitAsync()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task<int> RunAsync(Task warmUp, Task<int> count, CancellationToken ct)
                {
                    [|warmUp.Wait(ct)|];
                    [|count.Wait(cancellationToken: ct)|];
                    await Task.Yield();
                    return await count;
                }

                public Task StopAsync(Task draining, CancellationToken ct)
                {
                    [|draining.Wait(ct)|];
                    return Task.CompletedTask;
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task<int> RunAsync(Task warmUp, Task<int> count, CancellationToken ct)
                {
                    await warmUp.WaitAsync(ct);
                    await count.WaitAsync(ct);
                    await Task.Yield();
                    return await count;
                }

                public async Task StopAsync(Task draining, CancellationToken ct)
                {
                    await draining.WaitAsync(ct);
                }
            }
            """);

    /// <summary>netstandard2.0 (and .NET Framework) has no Task.WaitAsync: t.Wait(token) gets no fix there.</summary>
    [Fact]
    public Task NoFix_WaitWithToken_WhereTheFrameworkHasNoWaitAsync()
    {
        var test = new Verify.Test
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    public async Task RunAsync(Task warmUp, CancellationToken ct)
                    {
                        [|warmUp.Wait(ct)|];
                        await Task.Yield();
                    }
                }
                """,
            ExpectNoFix = true,
        };
        test.TestState.AdditionalReferences.Clear();
        test.TestState.AdditionalReferences.AddRange(TestReferences.NetStandard20);
        return test.RunAsync();
    }

    // Top-level statements that already await may await once more (the shared can-an-await-go-here helper).
    [Fact]
    public Task Fix_Result_InAsyncTopLevelStatements()
        => new Verify.Test
        {
            TestState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources = { Usings + "await Task.Yield();\nvar n = [|Task.Run(() => 1).Result|];\nConsole.WriteLine(n);\n" },
            },
            FixedState =
            {
                OutputKind = OutputKind.ConsoleApplication,
                Sources = { Usings + "await Task.Yield();\nvar n = await Task.Run(() => 1);\nConsole.WriteLine(n);\n" },
            },
        }.RunAsync();
}
