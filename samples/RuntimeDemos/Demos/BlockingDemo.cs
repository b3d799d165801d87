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

        var awaited = await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchAsync(http, path, cancellationToken))));
        var result = await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchWithResultAsync(http, path))));
        var send = await MeasureAsync(() => Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => FetchWithSendAsync(http, path))));

        var report = new DemoReport("variant", "elapsed", "one request", "ran like");
        report.AddRow(".Result in async code (AP1001)", Seconds(result), Seconds(delay), Shape(result, delay));
        report.AddRow("HttpClient.Send in async code (AP1003)", Seconds(send), Seconds(delay), Shape(send, delay));
        report.AddRow("await + Task.WhenAll", Seconds(awaited), Seconds(delay), Shape(awaited, delay));

        report.Harm(".Result", SlowerBy(result, awaited) >= 2.0);
        report.Harm("HttpClient.Send", SlowerBy(send, awaited) >= 2.0);
        var speedup = Math.Min(SlowerBy(result, awaited), SlowerBy(send, awaited));
        return report.ConcludePitfall(goodVariantHolds: true,
            $"Awaiting was {speedup:F1}x faster than the faster blocking variant: the blocking requests ran one after another, the awaited ones together.");
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

    private static double SlowerBy(TimeSpan elapsed, TimeSpan baseline) => elapsed.TotalSeconds / Math.Max(baseline.TotalSeconds, 0.001);

    private static string Seconds(TimeSpan elapsed) => $"{elapsed.TotalSeconds:F2} s";

    private static string Shape(TimeSpan elapsed, TimeSpan one)
        => elapsed.TotalSeconds >= one.TotalSeconds * (Requests - 0.5) ? "one after another" : "together";
}
