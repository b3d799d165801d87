using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Basics;

/// <summary>
/// Five downloads of a half-second endpoint, awaited one after another and then started together and
/// awaited with Task.WhenAll: the sequential run takes the sum of the delays, the concurrent one about the longest.
/// </summary>
public sealed class SequentialVsConcurrentDemo : IDemo
{
    private const int Downloads = 5;

    /// <summary>One by one takes at least this many times as long (about five: five delays against one).</summary>
    private const double Margin = 2.0;
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);

    public string Name => "sequential-vs-concurrent";
    public string Group => "basics";
    public string Description => $"{Downloads} downloads of /delay: awaited one by one versus started together and awaited with Task.WhenAll";
    public string Rules => "AP1001, AP2003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var path = DemoContext.DelayPath(context.Scaled(Delay));
        await client.GetStringAsync("get", cancellationToken); // warm the connection up

        var ((sequential, concurrent), slower) = await RatioClaim.MeasureAsync("sequential time / concurrent time", Margin, async () =>
            (await Measure.TimeAsync(async () =>
            {
                for (var i = 0; i < Downloads; i++)
                    await client.GetStringAsync(path, cancellationToken);
            }),
            await Measure.TimeAsync(() => Task.WhenAll(Enumerable.Range(0, Downloads).Select(_ => client.GetStringAsync(path, cancellationToken))))),
            times => times);

        var report = new DemoReport("variant", "elapsed", "per download");
        report.AddRow("sequential: await each in turn", Measure.Ms(sequential), Measure.Ms(context.Scaled(Delay)));
        report.AddRow("concurrent: Task.WhenAll", Measure.Ms(concurrent), Measure.Ms(context.Scaled(Delay)));
        return report.Conclude(
            $"Started together, the {Downloads} downloads took {Measure.Ms(concurrent)} (about one delay); one after another, {Measure.Ms(sequential)}: {Measure.Ratio(sequential, concurrent)} as long.",
            slower.ToCheck());
    }
}
