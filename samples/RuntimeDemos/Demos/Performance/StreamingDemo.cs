using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Performance;

/// <summary>
/// The guides' memory-efficient streaming: sum a checksum over 64 records of 256 KB each, fetched from the
/// loopback server's <c>/bytes</c>. Loading everything into a list first holds all 16 MB at once; streaming with
/// an async iterator (<c>IAsyncEnumerable</c>) holds one record at a time. Peak memory is measured with full
/// collections after each record.
/// </summary>
public sealed class StreamingDemo : IDemo
{
    private const int Records = 64;
    private const int RecordSize = 256 * 1024;

    public string Name => "streaming";
    public string Group => "performance";
    public string Description => $"{Records} records of {RecordSize / 1024} KB: loading everything versus streaming with IAsyncEnumerable (peak memory measured)";
    public string Rules => "AP2001, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var path = $"bytes/{RecordSize}";

        async Task<byte[]> FetchAsync(CancellationToken token) => await client.GetByteArrayAsync(path, token);

        async Task<List<byte[]>> LoadAllAsync(CancellationToken token)
        {
            var all = new List<byte[]>(Records);
            for (var i = 0; i < Records; i++)
                all.Add(await FetchAsync(token));
            return all;
        }

        async IAsyncEnumerable<byte[]> StreamAsync([EnumeratorCancellation] CancellationToken token = default)
        {
            for (var i = 0; i < Records; i++)
                yield return await FetchAsync(token);
        }

        await FetchAsync(cancellationToken); // warm-up

        // Each way in its own async method, so nothing of the first (its list, its enumerator) lives on in the second.
        var (loadedSum, loadedPeak) = await MeasureAsync(async consume =>
        {
            foreach (var record in await LoadAllAsync(cancellationToken))
                consume(record);
        });
        var (streamedSum, streamedPeak) = await MeasureAsync(async consume =>
        {
            await foreach (var record in StreamAsync(cancellationToken))
                consume(record);
        });

        var report = new DemoReport("variant", "records", "checksum", "peak memory above baseline");
        report.AddRow("load everything, then process", Measure.N(Records), Measure.N(loadedSum), Measure.Mb(loadedPeak));
        report.AddRow("stream with IAsyncEnumerable", Measure.N(Records), Measure.N(streamedSum), Measure.Mb(streamedPeak));
        return report.Conclude(
            $"Same checksum; streaming held at most {Measure.Mb(streamedPeak)} above its baseline (one record is {Measure.Mb(RecordSize)}), loading everything {Measure.Mb(loadedPeak)}.",
            Check.Observed("same checksum", loadedSum == streamedSum, Measure.N(streamedSum), $"{Measure.N(loadedSum)} against {Measure.N(streamedSum)}"),
            // A bound, not a ratio: streaming's peak is often 0.0 MB, against which a ratio means nothing.
            new Check("peak memory: streaming, under a quarter of loading everything", Measure.Mb(streamedPeak), "< " + Measure.Mb(loadedPeak / 4), streamedPeak * 4 < loadedPeak));
    }

    /// <summary>Runs <paramref name="process"/>; at every record, the live memory above the start, and the checksum.</summary>
    private static async Task<(long Sum, long PeakBytes)> MeasureAsync(Func<Action<byte[]>, Task> process)
    {
        var baseline = LiveBytes();
        long sum = 0, peak = 0;
        await process(record =>
        {
            // Measured while the record is still in use (after its last use, the GC may already free it).
            peak = Math.Max(peak, LiveBytes() - baseline);
            sum += Checksum(record);
        });
        return (sum, peak);
    }

    /// <summary>Bytes still reachable after a full, compacting collection.</summary>
    private static long LiveBytes() => GC.GetTotalMemory(forceFullCollection: true);

    private static long Checksum(byte[] record)
    {
        long sum = 0;
        foreach (var b in record)
            sum += b;
        return sum;
    }
}
