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
/// AP1001, AP1003. The guides' first pitfall: three requests to a one-second endpoint, started
/// "concurrently". An async method that blocks (<c>.Result</c>, or the synchronous
/// <c>HttpClient.Send</c>) before its first await runs to the end on the caller's thread, so the three
/// run one after another; awaited, they overlap.
/// </summary>
public sealed partial class BlockingDemo : IDemo
{
    private const int Requests = 3;

    /// <summary>The harm: each blocking variant takes at least this many times as long as awaiting (about 3x: one request time against three).</summary>
    private const double Margin = 2.0;
    private static readonly TimeSpan EndpointDelay = TimeSpan.FromSeconds(1);

    public string Name => "blocking";
    public string Group => "pitfalls";
    public string Description => $"{Requests} requests to a {EndpointDelay.TotalSeconds:F0}-second endpoint: .Result or sync I/O inside async code versus await Task.WhenAll";
    public string Rules => "AP1001, AP1003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var http = context.CreateClient();
        var delay = context.Scaled(EndpointDelay);
        var path = DemoContext.DelayPath(delay);

        // Each blocking variant is measured against an awaited run of its own, and re-measured with it when under the margin.
        var ((resultAwaited, result), resultClaim) = await RatioClaim.MeasureAsync(".Result time / awaited time", Margin,
            async () => (await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchAsync(http, path, cancellationToken)))),
                         await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchWithResultAsync(http, path))))),
            runs => (runs.Item2, runs.Item1));
        var ((sendAwaited, send), sendClaim) = await RatioClaim.MeasureAsync("HttpClient.Send time / awaited time", Margin,
            async () => (await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchAsync(http, path, cancellationToken)))),
                         await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchWithSendAsync(http, path))))),
            runs => (runs.Item2, runs.Item1));

        var report = new DemoReport("variant", "elapsed", "one request", "ran like");
        report.AddRow(".Result in async code (AP1001)", Seconds(result), Seconds(delay), Shape(result, delay));
        report.AddRow("  await + Task.WhenAll, measured with it", Seconds(resultAwaited), Seconds(delay), Shape(resultAwaited, delay));
        report.AddRow("HttpClient.Send in async code (AP1003)", Seconds(send), Seconds(delay), Shape(send, delay));
        report.AddRow("  await + Task.WhenAll, measured with it", Seconds(sendAwaited), Seconds(delay), Shape(sendAwaited, delay));

        report.Harm(".Result", resultClaim.ToCheck());
        report.Harm("HttpClient.Send", sendClaim.ToCheck());
        var together = delay * (Requests - 0.5);
        return report.ConcludePitfall(
            $"Awaiting was {Measure.Ratio(result, resultAwaited)} and {Measure.Ratio(send, sendAwaited)} faster than .Result and HttpClient.Send: the blocking requests ran one after another, the awaited ones together.",
            Check.Under("awaited (with .Result's run): together", resultAwaited, together),
            Check.Under("awaited (with HttpClient.Send's run): together", sendAwaited, together));
    }

    // Good variant.
    private static async Task<string> FetchAsync(HttpClient http, string path, CancellationToken cancellationToken)
        => await http.GetStringAsync(path, cancellationToken);

    private static async Task<TimeSpan> MeasureAsync(Func<Task> run)
    {
        var stopwatch = Stopwatch.StartNew();
        await run();
        return stopwatch.Elapsed;
    }

    private static string Seconds(TimeSpan elapsed) => $"{elapsed.TotalSeconds:F2} s";

    private static string Shape(TimeSpan elapsed, TimeSpan one)
        => elapsed.TotalSeconds >= one.TotalSeconds * (Requests - 0.5) ? "one after another" : "together";
}
