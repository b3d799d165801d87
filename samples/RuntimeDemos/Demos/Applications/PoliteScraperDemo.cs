using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Applications;

/// <summary>
/// The guides' polite web scraper against the loopback server standing in for three sites: at most three
/// requests in flight, at least 100 ms between two requests to the same site, retries with backoff on 429 and
/// 500 (honouring nothing else), and statistics at the end. The claim is checked from the request log.
/// </summary>
public sealed class PoliteScraperDemo : IDemo
{
    private const int MaxConcurrency = 3;
    private const int MaxAttempts = 3;
    private static readonly TimeSpan PerSiteDelay = TimeSpan.FromMilliseconds(100);

    public string Name => "polite-scraper";
    public string Group => "applications";
    public string Description => $"a polite scraper over three sites: at most {MaxConcurrency} in flight, {PerSiteDelay.TotalMilliseconds:F0} ms between requests to one site, retries on 429/500, statistics";
    public string Rules => "AP4002, AP3002, AP5002, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N");
        var pages = new List<string>();
        foreach (var site in new[] { "alpha", "beta", "gamma" })
        {
            for (var i = 0; i < 4; i++)
                pages.Add($"site/{site}/get?page={i}");
            pages.Add($"site/{site}/flaky/{site}-{run}-429/1/429");
            pages.Add($"site/{site}/flaky/{site}-{run}-500/2/500");
        }
        pages.Add("site/alpha/status/404");

        using var client = context.CreateClient();
        var scraper = new Scraper(client, MaxConcurrency, context.Scaled(PerSiteDelay));
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(pages.Select(page => scraper.FetchAsync(page, cancellationToken)));
        var elapsed = clock.Elapsed;

        var closestGap = scraper.Log.GroupBy(r => r.Site)
            .SelectMany(g => g.OrderBy(r => r.StartedAt).Zip(g.OrderBy(r => r.StartedAt).Skip(1), (a, b) => b.StartedAt - a.StartedAt))
            .DefaultIfEmpty(TimeSpan.MaxValue).Min();

        var report = new DemoReport("statistic", "value");
        report.AddRow("pages", Measure.N(pages.Count));
        report.AddRow("fetched", Measure.N(results.Count(r => r)));
        report.AddRow("gave up", Measure.N(results.Count(r => !r)));
        report.AddRow("requests made", Measure.N(scraper.Log.Count));
        report.AddRow("rate limited (429)", Measure.N(scraper.Log.Count(r => r.Status == 429)));
        report.AddRow("server errors (500)", Measure.N(scraper.Log.Count(r => r.Status == 500)));
        report.AddRow("retries", Measure.N(scraper.Retries));
        report.AddRow("most requests in flight", $"{scraper.Gauge.Peak} (cap {MaxConcurrency})");
        report.AddRow("closest two requests to one site", $"{Measure.Ms(closestGap)} (minimum {Measure.Ms(context.Scaled(PerSiteDelay))})");
        report.AddRow("elapsed", Measure.Ms(elapsed));
        return report.Conclude(
            $"Every page but the 404 was fetched; {scraper.Retries} retries absorbed the 429s and 500s; never more than {scraper.Gauge.Peak} requests in flight, and no site was hit twice within {Measure.Ms(closestGap)}.",
            Check.Exactly("pages fetched (all but the 404)", results.Count(r => r), pages.Count - 1),
            Check.AtMost("most requests in flight", scraper.Gauge.Peak, MaxConcurrency),
            Check.NotUnder("closest two requests to one site", closestGap, context.Scaled(PerSiteDelay)),
            Check.Exactly("retries", scraper.Retries, 9));
    }

    private sealed record Request(string Site, TimeSpan StartedAt, int Status);

    private sealed class Scraper(HttpClient client, int maxConcurrency, TimeSpan perSiteDelay)
    {
        private readonly SemaphoreSlim _slots = new(maxConcurrency);
        private readonly ConcurrentDictionary<string, SemaphoreSlim> _siteGates = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, TimeSpan> _lastRequest = new(StringComparer.Ordinal);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _retries;

        public ConcurrentQueue<Request> Log { get; } = new();

        public ConcurrencyGauge Gauge { get; } = new();

        public int Retries => Volatile.Read(ref _retries);

        /// <summary>True when the page was fetched; false when it failed for good.</summary>
        public async Task<bool> FetchAsync(string page, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                var status = await RequestPolitelyAsync(page, cancellationToken);
                if (status is >= 200 and < 300)
                    return true;
                if (status is not (429 or 500) || attempt == MaxAttempts)
                    return false;
                Interlocked.Increment(ref _retries);
                await Task.Delay(perSiteDelay * Math.Pow(2, attempt), cancellationToken);
            }
        }

        private async Task<int> RequestPolitelyAsync(string page, CancellationToken cancellationToken)
        {
            var site = page.Split('/')[1];
            var siteGate = _siteGates.GetOrAdd(site, _ => new SemaphoreSlim(1, 1));
            // One request per site at a time, spaced by the delay; then a global slot.
            await siteGate.WaitAsync(cancellationToken);
            try
            {
                // Timers may fire a little early: wait until the stopwatch agrees the delay has passed.
                while (_lastRequest.TryGetValue(site, out var last) && _clock.Elapsed - last < perSiteDelay)
                    await Task.Delay(perSiteDelay - (_clock.Elapsed - last), cancellationToken);
                await _slots.WaitAsync(cancellationToken);
                try
                {
                    using (Gauge.Enter())
                    {
                        var startedAt = _clock.Elapsed;
                        _lastRequest[site] = startedAt;
                        using var response = await client.GetAsync(page, cancellationToken);
                        Log.Enqueue(new Request(site, startedAt, (int)response.StatusCode));
                        return (int)response.StatusCode;
                    }
                }
                finally
                {
                    _slots.Release();
                }
            }
            finally
            {
                siteGate.Release();
            }
        }
    }
}
