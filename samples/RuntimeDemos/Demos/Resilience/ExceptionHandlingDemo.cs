using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Resilience;

/// <summary>
/// The guides' per-task exception handling: six requests run concurrently, two of them fail in different
/// ways. Each task is awaited on its own inside try/catch as it completes, so every success is used and every
/// failure is seen with its own type, none hidden behind the first.
/// </summary>
public sealed class ExceptionHandlingDemo : IDemo
{
    private static readonly string[] Paths = { "get", "status/404", "delay/0.05", "get", "status/500", "delay/0.1" };

    public string Name => "exception-handling";
    public string Group => "resilience";
    public string Description => "six concurrent requests, two failing: each task awaited in its own try/catch as it completes, no failure lost";
    public string Rules => "AP2003, AP5002, AP5006";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var requests = Paths.ToDictionary(path => FetchAsync(client, ScaledPath(path, context), cancellationToken), path => path);

        var report = new DemoReport("request", "outcome");
        var succeeded = 0;
        var failures = new List<string>();
        await foreach (var request in Task.WhenEach(requests.Keys).WithCancellation(cancellationToken))
        {
            try
            {
                var length = await request;
                succeeded++;
                report.AddRow(requests[request], $"ok ({length} bytes)");
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{(int?)ex.StatusCode}");
                report.AddRow(requests[request], $"{ex.GetType().Name}: status {(int?)ex.StatusCode}");
            }
        }

        return report.Conclude(
            $"{succeeded} requests succeeded and both failures ({string.Join(", ", failures)}) were handled on their own; none was lost behind another.",
            Check.Exactly("requests that succeeded", succeeded, 4),
            Check.Observed("failures handled: 404 and 500", failures.Order().SequenceEqual(new[] { "404", "500" }), "404, 500", string.Join(", ", failures.Order())));
    }

    private static string ScaledPath(string path, DemoContext context)
        => path.StartsWith("delay/", StringComparison.Ordinal)
            ? DemoContext.DelayPath(context.Scaled(TimeSpan.FromSeconds(double.Parse(path["delay/".Length..], System.Globalization.CultureInfo.InvariantCulture))))
            : path;

    private static async Task<int> FetchAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(cancellationToken)).Length;
    }
}
