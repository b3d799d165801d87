using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP1001. A burst of requests, each handled on the thread pool by a handler that calls a slow
/// dependency. The sync-over-async handler (<c>.Result</c>) holds a pool thread for the whole call,
/// while the call's own completion needs a pool thread too: the pool starves and can only add
/// threads slowly. The async handler needs no extra threads.
/// </summary>
public sealed partial class PoolStarvationDemo : IDemo
{
    private const int Burst = 48;

    /// <summary>The harm: sync-over-async takes at least this many times as long to serve the burst (over 100x on 2 cores).</summary>
    private const double Margin = 2.0;

    /// <summary>The good variant's job: the whole burst served within this many dependency calls (about one, measured).</summary>
    private const int AsyncBudget = 5;
    private static readonly TimeSpan DependencyDelay = TimeSpan.FromMilliseconds(200);

    public string Name => "pool-starvation";
    public string Group => "pitfalls";
    public string Description => $"a burst of {Burst} handlers calling a {DependencyDelay.TotalMilliseconds:F0} ms dependency: sync-over-async versus async";
    public string Rules => "AP1001";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var http = context.CreateClient();
        var delay = context.Scaled(DependencyDelay);
        var path = DemoContext.DelayPath(delay);

        // The async variant first in each attempt: threads the blocking one makes the pool add stay alive for a while
        // (and make a re-measure's blocking burst faster: a re-measure can only make the harm harder to show).
        var ((async, blocking), speedup) = await RatioClaim.MeasureAsync("sync-over-async time / async time", Margin,
            async () => (await ServeBurstAsync(context, "async handler", () => HandleAsync(http, path, cancellationToken)),
                         await ServeBurstAsync(context, "sync-over-async handler", () => HandleBlockingAsync(http, path))),
            runs => (runs.Item2.Elapsed, runs.Item1.Elapsed));

        var report = new DemoReport("handler", "time to serve all", "one call", "pool threads at start", "peak", "added");
        foreach (var run in new[] { blocking, async })
        {
            report.AddRow(run.Label, $"{run.Elapsed.TotalSeconds:F2} s", $"{delay.TotalSeconds:F2} s",
                run.ThreadsAtStart.ToString(CultureInfo.InvariantCulture), run.PeakThreads.ToString(CultureInfo.InvariantCulture),
                $"+{run.PeakThreads - run.ThreadsAtStart}");
        }

        report.Harm("sync-over-async handler", speedup.ToCheck());
        return report.ConcludePitfall(
            $"The async handlers served the burst {Measure.Ratio(blocking.Elapsed, async.Elapsed)} faster with {async.PeakThreads - async.ThreadsAtStart} extra pool threads; "
            + $"sync-over-async needed {blocking.PeakThreads - blocking.ThreadsAtStart}.",
            Check.Under($"async: the burst served within {AsyncBudget} call times", async.Elapsed, delay * AsyncBudget));
    }

    // Good variant: the handler awaits its dependency.
    private static async Task HandleAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await http.GetStringAsync(path, cancellationToken);
    }

    private static async Task<Run> ServeBurstAsync(DemoContext context, string label, Func<Task> handler)
    {
        using var monitor = ThreadPoolMonitor.StartNew();
        var served = 0;
        context.Output.Progress(label, 0, Burst);
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => Task.Run(async () =>
        {
            await handler();
            context.Output.Progress(label, Interlocked.Increment(ref served), Burst);
        })));
        stopwatch.Stop();
        context.Output.ClearProgress();
        return new Run(label, stopwatch.Elapsed, monitor.Start, monitor.Peak);
    }

    private sealed record Run(string Label, TimeSpan Elapsed, int ThreadsAtStart, int PeakThreads);
}
