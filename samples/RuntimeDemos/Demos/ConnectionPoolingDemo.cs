using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP4002. Twenty requests, first with one shared HttpClient, then with a new client per request:
/// elapsed time, and the TCP connections the loopback server accepted (one in all, versus one per request).
/// </summary>
public sealed partial class ConnectionPoolingDemo : IDemo
{
    private const int Requests = 20;

    public string Name => "connection-pooling";
    public string Group => "pitfalls";
    public string Description => $"{Requests} requests: one shared HttpClient versus a new client per request (time and TCP connections)";
    public string Rules => "AP4002";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var server = context.Server;
        using var shared = context.CreateClient();

        // Warm both paths up first (JIT, the server's first requests), so the times compare the pattern.
        await shared.GetStringAsync("get", cancellationToken);
        using (var warmUp = context.CreateClient())
            await warmUp.GetStringAsync("get", cancellationToken);

        var sharedRun = await MeasureAsync(server, () => SequentialAsync(shared, cancellationToken));
        var perRequestRun = await MeasureAsync(server, () => SequentialPerRequestAsync(server.BaseAddress));

        var report = new DemoReport("client", "elapsed", "TCP connections accepted");
        report.AddRow("new HttpClient per request (AP4002)", $"{perRequestRun.Elapsed.TotalMilliseconds:F0} ms", perRequestRun.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.AddRow("one shared HttpClient", $"{sharedRun.Elapsed.TotalMilliseconds:F0} ms", sharedRun.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The connection count is the claim; on loopback a handshake is cheap, so the time gap is modest
        // here and grows with real network latency and TLS.
        report.Harm("new HttpClient per request", perRequestRun.Connections > 1);
        return report.ConcludePitfall(sharedRun.Connections <= 1,
            $"A client per request opened {perRequestRun.Connections} TCP connections for {Requests} requests and took {perRequestRun.Elapsed.TotalMilliseconds / Math.Max(sharedRun.Elapsed.TotalMilliseconds, 0.1):F1}x as long; the shared client reused {(sharedRun.Connections == 0 ? "its existing" : sharedRun.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture))} connection.");
    }

    // Good variant: every request reuses the shared client's pooled connection.
    private static async Task SequentialAsync(HttpClient shared, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Requests; i++)
            await shared.GetStringAsync("get", cancellationToken);
    }

    private static async Task<(TimeSpan Elapsed, int Connections)> MeasureAsync(LoopbackServer server, Func<Task> run)
    {
        var before = server.AcceptedConnections;
        var stopwatch = Stopwatch.StartNew();
        await run();
        return (stopwatch.Elapsed, server.AcceptedConnections - before);
    }
}
