using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP5002. The guides' retry with exponential backoff, around a slow request that the caller cancels.
/// A catch-all retries the cancelled call and sleeps through every backoff; a filter that lets
/// cancellation through ends the operation at once.
/// </summary>
public sealed partial class RetryCancelDemo : IDemo
{
    private const int Attempts = 4;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SlowResponse = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CancelAfter = TimeSpan.FromMilliseconds(100);

    public string Name => "retry-cancel";
    public string Group => "pitfalls";
    public string Description => "retry with backoff around a cancelled call: catch-all retries it, a cancellation filter stops at once";
    public string Rules => "AP5002, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var http = context.CreateClient();
        var path = DemoContext.DelayPath(context.Scaled(SlowResponse));
        var backoff = context.Scaled(FirstBackoff);
        var cancelAfter = context.Scaled(CancelAfter);

        var letThrough = await MeasureAsync(cancelAfter, (attempts, ct) => GetWithRetryAsync(http, path, backoff, attempts, ct));
        var catchAll = await MeasureAsync(cancelAfter, (attempts, ct) => GetWithRetryCatchingAllAsync(http, path, backoff, attempts, ct));

        var report = new DemoReport("retry handler", "time to stop after cancel", "attempts made");
        report.AddRow("catch (Exception) (AP5002)", $"{catchAll.TimeToStop.TotalSeconds:F2} s", $"{catchAll.Attempts}");
        report.AddRow("catch ... when (ex is not OperationCanceledException)", $"{letThrough.TimeToStop.TotalSeconds:F2} s", $"{letThrough.Attempts}");
        // The catch-all sleeps through at least its first backoff after the cancellation: that is the margin on time.
        report.Harm("catch (Exception)",
            Check.AtLeast("catch-all: attempts", catchAll.Attempts, letThrough.Attempts + 1),
            Check.NotUnder("catch-all: time to stop beyond the filtered handler's", catchAll.TimeToStop - letThrough.TimeToStop, backoff));
        return report.ConcludePitfall(
            $"The catch-all retried the cancelled call {catchAll.Attempts - 1} times and took {catchAll.TimeToStop.TotalSeconds:F2} s to give up; the filtered handler stopped after {letThrough.Attempts} attempt.",
            Check.Exactly("filtered: attempts", letThrough.Attempts, 1));
    }

    // Good variant: failures are retried, cancellation is not.
    private static async Task<string> GetWithRetryAsync(HttpClient http, string path, TimeSpan backoff, AttemptCounter attempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            attempts.Add();
            try
            {
                return await http.GetStringAsync(path, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < Attempts)
            {
                await Task.Delay(backoff * Math.Pow(2, attempt - 1), cancellationToken);
            }
        }
    }

    private static async Task<(TimeSpan TimeToStop, int Attempts)> MeasureAsync(TimeSpan cancelAfter, Func<AttemptCounter, CancellationToken, Task<string>> call)
    {
        using var cancel = new CancellationTokenSource(cancelAfter);
        var attempts = new AttemptCounter();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await call(attempts, cancel.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
        {
            // Both variants end in an exception here; how long it took is what is measured.
        }
        return (stopwatch.Elapsed - cancelAfter, attempts.Count);
    }

    private sealed class AttemptCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }
}
