using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Synchronization;

/// <summary>
/// The guides' producer/consumer queue as a bounded Channel: two producers, three consumers. Producers wait
/// when the channel is full (back-pressure), consumers end when the writer completes, every item is
/// consumed exactly once.
/// </summary>
public sealed class ChannelsDemo : IDemo
{
    private const int Capacity = 4;
    private const int ItemsPerProducer = 20;
    private const int Producers = 2;
    private const int Consumers = 3;
    private static readonly TimeSpan ConsumeTime = TimeSpan.FromMilliseconds(20);

    public string Name => "channels";
    public string Group => "synchronization";
    public string Description => $"producer/consumer over a bounded Channel ({Capacity} slots): {Producers} producers, {Consumers} consumers, back-pressure and completion";
    public string Rules => "AP2003, AP5004";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });
        var consumed = new ConcurrentBag<(int Item, int Consumer)>();
        var maxBuffered = 0;
        var producerWaits = 0;

        async Task ProduceAsync(int producer)
        {
            for (var i = 0; i < ItemsPerProducer; i++)
            {
                var item = producer * 1000 + i;
                if (!channel.Writer.TryWrite(item))
                {
                    Interlocked.Increment(ref producerWaits); // full: wait for a consumer to make room
                    await channel.Writer.WriteAsync(item, cancellationToken);
                }
                InterlockedMax(ref maxBuffered, channel.Reader.Count);
            }
        }

        async Task ConsumeAsync(int consumer)
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                await Task.Delay(context.Scaled(ConsumeTime), cancellationToken);
                consumed.Add((item, consumer));
            }
        }

        var consumers = Enumerable.Range(1, Consumers).Select(ConsumeAsync).ToArray();
        await Task.WhenAll(Enumerable.Range(1, Producers).Select(ProduceAsync));
        channel.Writer.Complete();
        await Task.WhenAll(consumers);

        var total = Producers * ItemsPerProducer;
        var distinct = consumed.Select(c => c.Item).Distinct().Count();
        var report = new DemoReport("measurement", "value");
        report.AddRow("items produced", Measure.N(total));
        report.AddRow("items consumed (distinct)", $"{consumed.Count} ({distinct})");
        report.AddRow("per consumer", string.Join(", ", consumed.GroupBy(c => c.Consumer).OrderBy(g => g.Key).Select(g => $"#{g.Key}: {g.Count()}")));
        report.AddRow("most items buffered at once", $"{maxBuffered} (capacity {Capacity})");
        report.AddRow("writes that waited for room", Measure.N(producerWaits));
        report.AddRow("consumers finished after Complete()", Measure.N(consumers.Count(c => c.IsCompletedSuccessfully)));
        return report.Conclude(
            $"All {total} items were consumed exactly once by {Consumers} consumers; the buffer never held more than {Capacity}, {producerWaits} writes waited for room, and the consumers ended when the writer completed.",
            Check.Exactly("items consumed", consumed.Count, total),
            Check.Exactly("distinct items consumed", distinct, total),
            Check.AtMost("most items buffered at once", maxBuffered, Capacity),
            Check.AtLeast("writes that waited for room", producerWaits, 1),
            Check.Exactly("consumers finished after Complete()", consumers.Count(c => c.IsCompletedSuccessfully), Consumers));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
