using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Synchronization;

/// <summary>
/// The guides' token bucket, with System.Threading.RateLimiting: a bucket of 5 tokens refilled with 5 every
/// 100 ms (50 per second). Forty requests: the first five go at once (the burst), the rest at the refill
/// rate, so the run takes about (40 - 5) / 50 s, and no grant comes ahead of the bucket's schedule.
/// </summary>
public sealed class TokenBucketDemo : IDemo
{
    private const int Requests = 40;
    private const int BucketSize = 5;
    private static readonly TimeSpan RefillPeriod = TimeSpan.FromMilliseconds(100);

    public string Name => "token-bucket";
    public string Group => "synchronization";
    public string Description => $"a token-bucket rate limiter ({BucketSize} tokens per {RefillPeriod.TotalMilliseconds:F0} ms): {Requests} requests checked against the rate";
    public string Rules => "AP4004, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var period = context.Scaled(RefillPeriod);
        await using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = BucketSize,
            TokensPerPeriod = BucketSize,
            ReplenishmentPeriod = period,
            QueueLimit = Requests,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });

        var clock = Stopwatch.StartNew();
        var grantedAt = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken);
            return lease.IsAcquired ? clock.Elapsed : TimeSpan.MaxValue;
        }));
        var elapsed = clock.Elapsed;
        Array.Sort(grantedAt);

        // Never ahead of the schedule: by time t, at most the bucket plus one refill per elapsed period (plus one
        // period of slack for the timer). Grants observed late only lag the schedule, so this cannot flicker.
        var aheadOfSchedule = grantedAt.Select((t, i) => i + 1 - BucketSize * (2 + (int)(t / period))).Max();
        var burst = grantedAt.Count(t => t < period / 2);
        var ratePerSecond = BucketSize / period.TotalSeconds;
        var expected = TimeSpan.FromSeconds((Requests - BucketSize) / ratePerSecond);
        var observedRate = (Requests - burst) / Math.Max((grantedAt[^1] - grantedAt[0]).TotalSeconds, 1e-3);

        var report = new DemoReport("measurement", "value");
        report.AddRow("requests granted", Measure.N(grantedAt.Count(t => t != TimeSpan.MaxValue)));
        report.AddRow("granted at once (the burst)", Measure.N(burst));
        report.AddRow("configured rate", $"{ratePerSecond:F0}/s");
        report.AddRow("observed rate after the burst", $"{observedRate:F0}/s");
        report.AddRow("most grants ahead of the schedule", Measure.N(Math.Max(aheadOfSchedule, 0)));
        report.AddRow("elapsed", $"{Measure.Ms(elapsed)} (expected about {Measure.Ms(expected)})");
        return report.Conclude(
            $"{burst} requests went at once, the rest at {observedRate:F0}/s against a configured {ratePerSecond:F0}/s, never ahead of the bucket's schedule.",
            Check.Exactly("granted at once (the burst)", burst, BucketSize),
            Check.AtMost("most grants ahead of the schedule", Math.Max(aheadOfSchedule, 0), 0),
            Check.AtMost("observed rate / configured rate", observedRate / ratePerSecond, 1.1),
            Check.NotUnder("elapsed, at least 0.8 x expected", elapsed, expected * 0.8));
    }
}
