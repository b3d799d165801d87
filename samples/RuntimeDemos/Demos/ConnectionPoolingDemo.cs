using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP4002. A hundred requests, first with one shared HttpClient, then with a new client per request:
/// elapsed time, and the TCP connections the loopback server accepted (one in all, versus one per request).
/// </summary>
public sealed partial class ConnectionPoolingDemo : IDemo
{
    // A hundred, not twenty: twenty loopback requests take a few milliseconds in all, where one scheduler
    // hiccup decides the ratio (1.2x to 4x measured); at a hundred the per-request client took 2.3x to 12x as long.
    private const int Requests = 100;

    /// <summary>The time harm: a client per request takes at least this many times as long, even on loopback.</summary>
    private const double TimeMargin = 1.5;

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

        // On loopback a handshake is cheap, so the time gap is modest here (it grows with real network latency and
        // TLS): judged with a margin, and re-measured when under it; the connection count does not vary.
        var ((sharedRun, perRequestRun), slower) = await RatioClaim.MeasureAsync("per-request time / shared time", TimeMargin,
            async () => (await MeasureAsync(server, () => SequentialAsync(shared, cancellationToken)),
                         await MeasureAsync(server, () => SequentialPerRequestAsync(server.BaseAddress))),
            runs => (runs.Item2.Elapsed, runs.Item1.Elapsed));

        var report = new DemoReport("client", "elapsed", "TCP connections accepted");
        report.AddRow("new HttpClient per request (AP4002)", Measure.Ms(perRequestRun.Elapsed), Measure.N(perRequestRun.Connections));
        report.AddRow("one shared HttpClient", Measure.Ms(sharedRun.Elapsed), Measure.N(sharedRun.Connections));
        report.Harm("new HttpClient per request", Check.Exactly("per request: TCP connections opened", perRequestRun.Connections, Requests), slower.ToCheck());
        return report.ConcludePitfall(
            $"A client per request opened {perRequestRun.Connections} TCP connections for {Requests} requests and took {Measure.Ratio(perRequestRun.Elapsed, sharedRun.Elapsed)} as long; the shared client reused {(sharedRun.Connections == 0 ? "its existing" : Measure.N(sharedRun.Connections))} connection.",
            Check.AtMost("shared: TCP connections opened", sharedRun.Connections, 1));
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
