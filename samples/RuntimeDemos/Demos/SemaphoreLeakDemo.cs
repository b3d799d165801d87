using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP3002. A handler allows two requests at a time with a SemaphoreSlim. Two requests fail between
/// WaitAsync and Release; without try/finally both slots are gone and every later request times
/// out. With the release in finally, all later requests are served.
/// </summary>
public sealed partial class SemaphoreLeakDemo : IDemo
{
    private const int Slots = 2;
    private const int LaterRequests = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(200);

    public string Name => "semaphore-leak";
    public string Group => "pitfalls";
    public string Description => "two failing requests between WaitAsync and Release: slots leaked versus released in finally";
    public string Rules => "AP3002";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var patience = context.Scaled(Patience);
        var leaking = await ServeAsync(patience, HandleLeakingAsync, cancellationToken);
        var safe = await ServeAsync(patience, HandleAsync, cancellationToken);

        var report = new DemoReport("variant", "later requests served", "timed out waiting for a slot");
        report.AddRow("Release after the work (AP3002)", $"{leaking} of {LaterRequests}", (LaterRequests - leaking).ToString(CultureInfo.InvariantCulture));
        report.AddRow("Release in finally", $"{safe} of {LaterRequests}", (LaterRequests - safe).ToString(CultureInfo.InvariantCulture));
        report.Harm("Release after the work", Check.AtMost("leaking: later requests served", leaking, LaterRequests - 1));
        return report.ConcludePitfall(
            $"After {Slots} failures the leaking handler served {leaking} of {LaterRequests} later requests; the try/finally handler served {safe}.",
            Check.Exactly("release in finally: later requests served", safe, LaterRequests));
    }

    private static async Task<int> ServeAsync(TimeSpan patience, Func<SemaphoreSlim, bool, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Slots, Slots);
        for (var i = 0; i < Slots; i++)
        {
            try
            {
                await handler(slots, true, cancellationToken);
            }
            catch (InvalidOperationException)
            {
                // The failing requests: their error is not what is measured.
            }
        }

        var served = 0;
        foreach (var _ in Enumerable.Range(0, LaterRequests))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(patience);
            try
            {
                await handler(slots, false, timeout.Token);
                served++;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timed out waiting for a slot: the outcome being measured.
            }
        }
        return served;
    }

    // Good variant: the slot comes back whatever the work does.
    private static async Task HandleAsync(SemaphoreSlim slots, bool fail, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            await DoWorkAsync(fail, cancellationToken);
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task DoWorkAsync(bool fail, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        if (fail)
            throw new InvalidOperationException("the request failed");
    }
}
