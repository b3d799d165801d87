using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Coordination;

/// <summary>
/// The guides' shield: a timeout that stops the caller's wait but deliberately leaves the work running
/// (saving an order must finish even if the caller gives up). With <c>WaitAsync</c> only the wait is
/// abandoned; the work is kept and awaited later. Its unshielded twin passes the caller's token into the
/// work, so the timeout cancels the save itself.
/// </summary>
public sealed class ShieldDemo : IDemo
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SaveTime = TimeSpan.FromMilliseconds(300);

    public string Name => "shield";
    public string Group => "coordination";
    public string Description => "a timeout that stops waiting but leaves the work running on purpose (the guides' shield), against one that cancels it";
    public string Rules => "AP5005, AP2002";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var timeout = context.Scaled(Timeout);
        var saveTime = context.Scaled(SaveTime);
        var report = new DemoReport("variant", "caller", "caller gave up after", "the save");
        var clock = Stopwatch.StartNew();

        // Shielded: the save gets the application's token, not the caller's timeout.
        var save = SaveOrderAsync(saveTime, cancellationToken);
        var shieldedCaller = "waited to the end";
        try
        {
            await save.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            shieldedCaller = "timed out";
        }
        var shieldedGaveUp = clock.Elapsed;
        var saved = await save; // kept, and observed: the save's outcome is not lost
        report.AddRow("shielded (WaitAsync on the work)", shieldedCaller, Measure.Ms(shieldedGaveUp), saved ? $"completed at {Measure.Ms(clock.Elapsed)}" : "did not complete");

        // Not shielded: the timeout is the work's own token, so the save is cancelled with the wait.
        clock.Restart();
        using var callerTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        callerTimeout.CancelAfter(timeout);
        var unshielded = SaveOrderAsync(saveTime, callerTimeout.Token);
        var unshieldedCaller = "waited to the end";
        try
        {
            await unshielded;
        }
        catch (OperationCanceledException) when (callerTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            unshieldedCaller = "timed out";
        }
        report.AddRow("not shielded (the timeout cancels the work)", unshieldedCaller, Measure.Ms(clock.Elapsed), unshielded.IsCanceled ? "cancelled" : unshielded.Status.ToString());

        return report.Conclude(
            "Both callers stopped waiting at the timeout; the shielded save still completed afterwards, the unshielded one was cancelled with the wait.",
            Check.Observed("shielded: the caller timed out", shieldedCaller == "timed out", "yes", shieldedCaller),
            Check.Under("shielded: the caller gave up before the save's end", shieldedGaveUp, saveTime),
            Check.Observed("shielded: the save completed", saved),
            Check.Observed("not shielded: the caller timed out", unshieldedCaller == "timed out", "yes", unshieldedCaller),
            Check.Observed("not shielded: the save was cancelled", unshielded.IsCanceled, "yes", unshielded.Status.ToString()));
    }

    private static async Task<bool> SaveOrderAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        await Task.Delay(duration, cancellationToken);
        return true;
    }
}
