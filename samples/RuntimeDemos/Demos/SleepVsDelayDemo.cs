using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP1002. Many concurrent operations each call the server, wait, and call it again. Waiting with
/// <c>Thread.Sleep</c> inside async code holds a pool thread per waiting operation: they queue behind
/// the two-per-core threads the pool starts with, and the pool grows slowly. <c>await Task.Delay</c>
/// waits without a thread.
/// </summary>
public sealed partial class SleepVsDelayDemo : IDemo
{
    private const int Operations = 64;

    /// <summary>The harm: Thread.Sleep takes at least this many times as long (about 10x on 2 cores).</summary>
    private const double Margin = 2.0;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(300);

    public string Name => "sleep-vs-delay";
    public string Group => "pitfalls";
    public string Description => $"{Operations} concurrent calls that wait: Thread.Sleep in async code versus await Task.Delay";
    public string Rules => "AP1002";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var http = context.CreateClient();
        var pause = context.Scaled(Pause);

        // The good variant runs first in each attempt: threads the bad one makes the pool add stay alive for a while.
        // (They also make a re-measure's Thread.Sleep run faster: a re-measure can only make the harm harder to show.)
        var ((delay, sleep), speedup) = await RatioClaim.MeasureAsync($"Thread.Sleep time / Task.Delay time", Margin,
            async () => (await MeasureAsync(context, "await Task.Delay", waiting => CallWaitCallAsync(http, pause, waiting, cancellationToken)),
                         await MeasureAsync(context, "Thread.Sleep", waiting => CallSleepCallAsync(http, pause, waiting))),
            runs => (runs.Item2.Elapsed, runs.Item1.Elapsed));

        var report = new DemoReport("variant", "elapsed", "one wait", "waits at once", "pool threads (peak)");
        foreach (var run in new[] { sleep, delay })
            report.AddRow(run.Label, $"{run.Elapsed.TotalSeconds:F2} s", $"{pause.TotalSeconds:F2} s", $"{run.PeakWaiting} of {Operations}", run.PeakThreads.ToString());

        report.Harm("Thread.Sleep", speedup.ToCheck());
        return report.ConcludePitfall(
            $"await Task.Delay finished {Measure.Ratio(sleep.Elapsed, delay.Elapsed)} faster: {delay.PeakWaiting} waits ran at once instead of {sleep.PeakWaiting}, one per blocked pool thread.",
            Check.Exactly("Task.Delay: waits at once", delay.PeakWaiting, Operations));
    }

    // Good variant: the wait releases the thread.
    private static async Task CallWaitCallAsync(HttpClient http, TimeSpan pause, ConcurrencyGauge waiting, CancellationToken cancellationToken)
    {
        await http.GetStringAsync("get", cancellationToken);
        using (waiting.Enter())
            await Task.Delay(pause, cancellationToken);
        await http.GetStringAsync("get", cancellationToken);
    }

    private static async Task<Run> MeasureAsync(DemoContext context, string label, Func<ConcurrencyGauge, Task> operation)
    {
        using var monitor = ThreadPoolMonitor.StartNew();
        var waiting = new ConcurrencyGauge();
        var done = 0;
        context.Output.Progress(label, 0, Operations);
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Operations).Select(async _ =>
        {
            await operation(waiting);
            context.Output.Progress(label, Interlocked.Increment(ref done), Operations);
        }));
        stopwatch.Stop();
        context.Output.ClearProgress();
        return new Run(label, stopwatch.Elapsed, waiting.Peak, monitor.Peak);
    }

    private sealed record Run(string Label, TimeSpan Elapsed, int PeakWaiting, int PeakThreads);
}
