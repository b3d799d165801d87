using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP4004. A service handles "requests", each with a timeout token source linked to the service's
/// stopping token. Undisposed, every source stays registered on the long-lived token (and its timer
/// keeps it alive until it fires): after the requests, the garbage collector cannot reclaim them.
/// Disposed, none survives.
/// </summary>
public sealed partial class LeaksDemo : IDemo
{
    private const int RequestCount = 200;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(5);

    public string Name => "leaks";
    public string Group => "pitfalls";
    public string Description => $"{RequestCount} requests with linked timeout token sources: undisposed ones stay alive, disposed ones do not";
    public string Rules => "AP4004";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var stopping = new CancellationTokenSource();

        var disposedTracker = new List<WeakReference>();
        for (var i = 0; i < RequestCount; i++)
            await HandleAsync(stopping.Token, disposedTracker);
        var leakedTracker = new List<WeakReference>();
        for (var i = 0; i < RequestCount; i++)
            await HandleLeakingAsync(stopping.Token, leakedTracker);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var disposedAlive = CountAlive(disposedTracker);
        var leakedAlive = CountAlive(leakedTracker);

        var report = new DemoReport("token sources", "still alive after the requests and a full GC");
        report.AddRow("linked, with CancelAfter, never disposed (AP4004)", $"{leakedAlive} of {RequestCount}");
        report.AddRow("using var (disposed per request)", $"{disposedAlive} of {RequestCount}");
        report.Harm("never disposed", Check.AtLeast("never disposed: alive after a full GC", leakedAlive, 1));
        return report.ConcludePitfall(
            $"{leakedAlive} undisposed sources stay reachable through the stopping token and their timers; the disposed ones were all collected.",
            Check.Exactly("disposed: alive after a full GC", disposedAlive, 0));
    }

    // Good variant: the linked source unregisters from the stopping token and stops its timer.
    private static async Task HandleAsync(CancellationToken stopping, List<WeakReference> tracker)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(RequestTimeout);
        tracker.Add(new WeakReference(timeout));
        await Task.Yield();
    }

    private static int CountAlive(List<WeakReference> tracker)
    {
        var alive = 0;
        foreach (var reference in tracker)
        {
            if (reference.IsAlive)
                alive++;
        }
        return alive;
    }
}
