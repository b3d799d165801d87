using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Performance;

/// <summary>
/// The guides' batch processing: forty lookups of a 50 ms endpoint, one by one and then in batches of
/// eight run concurrently (Chunk + Task.WhenAll). Batching bounds the load on the server and still cuts the
/// time by about the batch size.
/// </summary>
public sealed class BatchingDemo : IDemo
{
    private const int Items = 40;
    private const int BatchSize = 8;

    /// <summary>One by one takes at least this many times as long (about 40 lookup times against 5 batches).</summary>
    private const double Margin = 3.0;
    private static readonly TimeSpan LookupTime = TimeSpan.FromMilliseconds(50);

    public string Name => "batching";
    public string Group => "performance";
    public string Description => $"{Items} lookups one by one versus in concurrent batches of {BatchSize} (Chunk + Task.WhenAll)";
    public string Rules => "AP2003, AP1001";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var path = DemoContext.DelayPath(context.Scaled(LookupTime));
        await client.GetStringAsync("get", cancellationToken);

        async Task<Run> MeasureOnceAsync()
        {
            var oneByOneResults = 0;
            var oneByOne = await Measure.TimeAsync(async () =>
            {
                foreach (var _ in Enumerable.Range(0, Items))
                {
                    await client.GetStringAsync(path, cancellationToken);
                    oneByOneResults++;
                }
            });

            var batchedResults = 0;
            var gauge = new ConcurrencyGauge();
            var batched = await Measure.TimeAsync(async () =>
            {
                foreach (var batch in Enumerable.Range(0, Items).Chunk(BatchSize))
                {
                    var results = await Task.WhenAll(batch.Select(_ => LookupAsync(client, path, gauge, cancellationToken)));
                    batchedResults += results.Length;
                }
            });
            return new Run(oneByOne, oneByOneResults, batched, batchedResults, gauge.Peak);
        }

        var (run, faster) = await RatioClaim.MeasureAsync("one-by-one time / batched time", Margin, MeasureOnceAsync, r => (r.OneByOne, r.Batched));
        var (oneByOne, oneByOneResults, batched, batchedResults, peak) = run;

        var report = new DemoReport("variant", "results", "elapsed", "most in flight");
        report.AddRow("one by one", Measure.N(oneByOneResults), Measure.Ms(oneByOne), "1");
        report.AddRow($"batches of {BatchSize}", Measure.N(batchedResults), Measure.Ms(batched), Measure.N(peak));
        return report.Conclude(
            $"Batches of {BatchSize} took {Measure.Ms(batched)} against {Measure.Ms(oneByOne)} one by one ({Measure.Ratio(oneByOne, batched)} faster), with never more than {peak} requests in flight.",
            Check.Exactly("one by one: results", oneByOneResults, Items),
            Check.Exactly("batched: results", batchedResults, Items),
            Check.AtMost("batched: most in flight", peak, BatchSize),
            faster.ToCheck());
    }

    private static async Task<string> LookupAsync(HttpClient client, string path, ConcurrencyGauge gauge, CancellationToken cancellationToken)
    {
        using (gauge.Enter())
            return await client.GetStringAsync(path, cancellationToken);
    }

    private sealed record Run(TimeSpan OneByOne, int OneByOneResults, TimeSpan Batched, int BatchedResults, int PeakInFlight);
}
