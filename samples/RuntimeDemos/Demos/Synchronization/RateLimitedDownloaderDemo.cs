using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Synchronization;

/// <summary>
/// The guides' rate-limited downloader: twenty downloads with at most four in flight, through a
/// SemaphoreSlim (released in finally) and through Parallel.ForEachAsync. The peak concurrency is measured
/// around each request: it reaches the cap and never exceeds it, and the run takes about
/// downloads / cap request times.
/// </summary>
public sealed class RateLimitedDownloaderDemo : IDemo
{
    private const int Downloads = 20;
    private const int Cap = 4;
    private static readonly TimeSpan RequestTime = TimeSpan.FromMilliseconds(200);

    public string Name => "rate-limited-downloader";
    public string Group => "synchronization";
    public string Description => $"{Downloads} downloads with at most {Cap} in flight (SemaphoreSlim, Parallel.ForEachAsync): peak concurrency measured";
    public string Rules => "AP3002, AP3006, AP2003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var path = DemoContext.DelayPath(context.Scaled(RequestTime));
        await client.GetStringAsync("get", cancellationToken);

        var semaphoreGauge = new ConcurrencyGauge();
        using var slots = new SemaphoreSlim(Cap);
        var semaphoreTime = await Measure.TimeAsync(() => Task.WhenAll(Enumerable.Range(0, Downloads).Select(async _ =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                using (semaphoreGauge.Enter())
                    await client.GetStringAsync(path, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        })));

        var parallelGauge = new ConcurrencyGauge();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Cap, CancellationToken = cancellationToken };
        var parallelTime = await Measure.TimeAsync(() => Parallel.ForEachAsync(Enumerable.Range(0, Downloads), options, async (_, token) =>
        {
            using (parallelGauge.Enter())
                await client.GetStringAsync(path, token);
        }));

        var ideal = context.Scaled(RequestTime) * Math.Ceiling(Downloads / (double)Cap);
        var report = new DemoReport("limiter", "peak in flight", "cap", "elapsed", "ideal");
        report.AddRow("SemaphoreSlim", Measure.N(semaphoreGauge.Peak), Measure.N(Cap), Measure.Ms(semaphoreTime), Measure.Ms(ideal));
        report.AddRow("Parallel.ForEachAsync", Measure.N(parallelGauge.Peak), Measure.N(Cap), Measure.Ms(parallelTime), Measure.Ms(ideal));
        return report.Conclude(
            $"Both limiters kept at most {Cap} downloads in flight (and used all {Cap}); {Downloads} downloads took about {Downloads / Cap} request times ({Measure.Ms(semaphoreTime)} and {Measure.Ms(parallelTime)}).",
            Check.Exactly("SemaphoreSlim: peak in flight", semaphoreGauge.Peak, Cap),
            Check.Exactly("Parallel.ForEachAsync: peak in flight", parallelGauge.Peak, Cap),
            Check.NotUnder("SemaphoreSlim: elapsed, at least 0.9 x ideal", semaphoreTime, ideal * 0.9),
            Check.NotUnder("Parallel.ForEachAsync: elapsed, at least 0.9 x ideal", parallelTime, ideal * 0.9));
    }
}
