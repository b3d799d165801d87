using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace RuntimeDemos.Infrastructure;

/// <summary>Timing and the number formats every report uses.</summary>
public static class Measure
{
    public static async Task<TimeSpan> TimeAsync(Func<Task> run)
    {
        var stopwatch = Stopwatch.StartNew();
        await run();
        return stopwatch.Elapsed;
    }

    public static string Ms(TimeSpan duration) => duration.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    public static string N(long count) => count.ToString(CultureInfo.InvariantCulture);

    public static string Ratio(TimeSpan slow, TimeSpan fast) => (slow.TotalMilliseconds / Math.Max(fast.TotalMilliseconds, 0.1)).ToString("F1", CultureInfo.InvariantCulture) + "x";

    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";
}
