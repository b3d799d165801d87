using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Synchronization;

/// <summary>
/// The guides' asyncio.Event as a TaskCompletionSource: three workers wait until the service is ready, the
/// starter signals once, and all three go on at that moment; a fourth waits with a timeout shorter than the
/// start-up and gives up.
/// </summary>
public sealed class EventsDemo : IDemo
{
    private const int Waiters = 3;
    private static readonly TimeSpan StartUp = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ImpatientTimeout = TimeSpan.FromMilliseconds(100);

    public string Name => "events";
    public string Group => "synchronization";
    public string Description => $"a TaskCompletionSource as an event: {Waiters} waiters released together by one signal, one wait with a timeout that expires";
    public string Rules => "AP5005, AP2002";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        // RunContinuationsAsynchronously: the signaller does not run the waiters' code inline.
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();

        async Task<TimeSpan> WaitForReadyAsync()
        {
            await ready.Task.WaitAsync(cancellationToken);
            return clock.Elapsed;
        }

        async Task<bool> WaitImpatientlyAsync()
        {
            try
            {
                await ready.Task.WaitAsync(context.Scaled(ImpatientTimeout), cancellationToken);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        var waiters = Enumerable.Range(0, Waiters).Select(_ => WaitForReadyAsync()).ToArray();
        var impatient = WaitImpatientlyAsync();
        await Task.Delay(context.Scaled(StartUp), cancellationToken);
        var signalledAt = clock.Elapsed;
        ready.SetResult();
        var releasedAt = await Task.WhenAll(waiters);
        var impatientGotIt = await impatient;

        var report = new DemoReport("waiter", "released at", "after the signal");
        for (var i = 0; i < releasedAt.Length; i++)
            report.AddRow($"worker {i + 1}", Measure.Ms(releasedAt[i]), Measure.Ms(releasedAt[i] - signalledAt));
        report.AddRow($"impatient (timeout {Measure.Ms(context.Scaled(ImpatientTimeout))})", impatientGotIt ? "released" : "timed out", "");
        // "Together": well within the start-up they waited for (a few ms on an idle machine).
        var spread = releasedAt.Max() - signalledAt;
        return report.Conclude(
            $"No worker went on before the signal at {Measure.Ms(signalledAt)}; all {Waiters} were released within {Measure.Ms(spread)} of it, and the impatient waiter timed out.",
            Check.Exactly("workers released before the signal", releasedAt.Count(t => t < signalledAt), 0),
            Check.Under("last worker released after the signal (within a third of the start-up)", spread, context.Scaled(StartUp) / 3),
            Check.Observed("impatient waiter timed out", !impatientGotIt));
    }
}
