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
            Verify.Diagnostic().WithLocation(0).WithMessage("Task.WhenAny with Task.Delay as a timeout leaves 'download' running when the delay wins; use 'download.WaitAsync(timeout, token)' or cancel it"),
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

    [Fact]
    public Task Fix_TimeoutShapeBecomesWaitAsync()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Client
            {
                public async Task<string> GetAsync(Task<string> download, CancellationToken ct)
                {
                    if (await [|Task.WhenAny(download, Task.Delay(1000, ct))|] != download)
                        throw new TimeoutException("too slow");
                    return await download;
                }

                public async Task<string> SpanAsync(Task<string> download)
                {
                    if (await [|Task.WhenAny(download, Task.Delay(TimeSpan.FromSeconds(2)))|] != download)
                    {
                        throw new TimeoutException();
                    }
                    return await download;
                }
            }
            """, Usings + """
            class Client
            {
                public async Task<string> GetAsync(Task<string> download, CancellationToken ct)
                {
                    await download.WaitAsync(TimeSpan.FromMilliseconds(1000), ct);
                    return await download;
                }

                public async Task<string> SpanAsync(Task<string> download)
                {
                    await download.WaitAsync(TimeSpan.FromSeconds(2));
                    return await download;
                }
            }
            """);
}
