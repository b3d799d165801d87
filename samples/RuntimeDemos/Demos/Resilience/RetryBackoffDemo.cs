using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Resilience;

/// <summary>
/// The guides' retry with exponential backoff and jitter, against an endpoint that fails with 503 three
/// times and then answers: four attempts, each wait about twice the one before (plus up to 25% jitter), and
/// cancellation passed through so a retry loop can always be stopped.
/// </summary>
public sealed class RetryBackoffDemo : IDemo
{
    private const int Failures = 3;
    private const int MaxAttempts = 5;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(50);

    public string Name => "retry-backoff";
    public string Group => "resilience";
    public string Description => $"retry with exponential backoff and jitter against an endpoint that fails {Failures} times: attempts and waits measured";
    public string Rules => "AP5002, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var path = $"flaky/retry-{Guid.NewGuid():N}/{Failures}/503";
        var attempts = new List<(int Attempt, string Outcome, TimeSpan WaitBefore)>();
        var clock = Stopwatch.StartNew();
        var body = await RetryAsync(async token =>
        {
            using var response = await client.GetAsync(path, token);
            attempts[^1] = attempts[^1] with { Outcome = $"{(int)response.StatusCode} {response.StatusCode}" };
            if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests)
                throw new HttpRequestException($"transient {(int)response.StatusCode}", null, response.StatusCode);
            return await response.Content.ReadAsStringAsync(token);
        }, (attempt, wait) => attempts.Add((attempt, "", wait)), context, cancellationToken);
        var elapsed = clock.Elapsed;

        var report = new DemoReport("attempt", "waited before", "outcome");
        foreach (var attempt in attempts)
            report.AddRow(Measure.N(attempt.Attempt), Measure.Ms(attempt.WaitBefore), attempt.Outcome);

        var waits = attempts.Skip(1).Select(a => a.WaitBefore).ToList();
        var doubling = waits.Zip(waits.Skip(1), (earlier, later) => later.TotalMilliseconds / earlier.TotalMilliseconds).ToList();
        var checks = new List<Check>
        {
            Check.Observed("a body came back", body.Length > 0),
            Check.Exactly("attempts", attempts.Count, Failures + 1),
        };
        checks.AddRange(doubling.Select((ratio, i) => Check.Between($"wait {i + 2} / wait {i + 1}", ratio, 1.5, 2.6)));
        return report.Conclude(
            $"The call succeeded on attempt {attempts.Count} after {Measure.Ms(elapsed)}; each wait was {string.Join(", ", doubling.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "x"))} the one before.",
            checks.ToArray());
    }

    /// <summary>Retries transient HTTP failures; cancellation is never retried, and the wait itself is cancellable.</summary>
    private static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, Action<int, TimeSpan> onAttempt, DemoContext context, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            onAttempt(attempt, wait);
            try
            {
                return await operation(cancellationToken);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts)
            {
                // 2^n growth with up to 25% jitter, so many clients do not retry in lockstep.
                var backoff = BaseDelay * Math.Pow(2, attempt - 1) * (1 + Random.Shared.NextDouble() * 0.25);
                wait = context.Scaled(backoff);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }
}
