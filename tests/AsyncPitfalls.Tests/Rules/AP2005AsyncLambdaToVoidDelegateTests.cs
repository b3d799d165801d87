using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.AsyncLambdaToVoidDelegateAnalyzer, AsyncPitfalls.Rules.AsyncLambdaToVoidDelegateCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2005AsyncLambdaToVoidDelegateTests
{
    private const string Usings = AP2001DiscardedTaskTests.Usings;

    [Fact]
    public Task Reports_ForEach_ParallelForEach_Timer_Action()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public void Run(List<string> urls)
                {
                    urls.ForEach({|#0:async url => await Task.Delay(1)|});
                    Parallel.ForEach(urls, {|#1:async url => await Task.Delay(1)|});
                    using var timer = new Timer({|#2:async _ => await Task.Delay(1)|}, null, 0, 1000);
                    Action run = {|#3:async () => await Task.Yield()|};
                    run();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("This async lambda becomes 'Action' for 'List.ForEach', which returns void: nothing awaits it and an exception it throws ends the process"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Action", " for 'Parallel.ForEach'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("TimerCallback", ""),
            Verify.Diagnostic().WithLocation(3).WithArguments("Action", ""));

    [Fact]
    public Task NoDiagnostic_TaskReturningDelegates_EventHandlers_SyncLambdas()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Button { public event EventHandler? Click; }
            class Worker
            {
                public async Task RunAsync(List<string> urls, Button button)
                {
                    Func<Task> run = async () => await Task.Yield();
                    await Task.Run(async () => await Task.Yield());
                    await Parallel.ForEachAsync(urls, async (url, ct) => await Task.Delay(1, ct));
                    button.Click += async (sender, e) => await Task.Yield();
                    EventHandler handler = async (sender, e) => await Task.Yield();
                    urls.ForEach(url => Console.WriteLine(url));
                }
            }
            """);

    [Theory]
    [InlineData("void M(List<int> xs) { xs.ForEach(async x => await ); }")]
    [InlineData("void M() { Missing(async () => await Task.Yield()); }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    [Fact]
    public Task Fix_ListForEachBecomesForeach_ParallelForEachBecomesForEachAsync()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                private static Task SendAsync(string url) => Task.CompletedTask;

                public void Run(List<string> urls)
                {
                    urls.ForEach([|async url =>
                    {
                        if (url.Length == 0)
                            return;
                        await SendAsync(url);
                    }|]);
                    Parallel.ForEach(urls, [|async url => await SendAsync(url)|]);
                }
            }
            """, Usings + """
            class Worker
            {
                private static Task SendAsync(string url) => Task.CompletedTask;

                public async Task Run(List<string> urls)
                {
                    foreach (var url in urls)
                    {
                        if (url.Length == 0)
                            continue;
                        await SendAsync(url);
                    }
                    await Parallel.ForEachAsync(urls, async (url, _) => await SendAsync(url));
                }
            }
            """);

    // The item named '_' and the token '_': one name declared twice below C# 9 (CS0100); from C# 9 two discards, and
    // 'Task.Delay(_)' no longer read the item.
    [Fact]
    public Task Fix_ParallelForEach_ItemNamedUnderscore_NamesTheTokenApart()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public void Run(List<int> delays, CancellationToken cancellationToken)
                {
                    Parallel.ForEach(delays, [|async _ => await Task.Delay(_)|]);
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task Run(List<int> delays, CancellationToken cancellationToken)
                {
                    await Parallel.ForEachAsync(delays, async (_, cancellationToken2) => await Task.Delay(_));
                }
            }
            """);
}
