using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Coordination;

/// <summary>
/// The guides' wait_for: <c>WaitAsync(timeout, token)</c> gives up on a slow operation after the timeout
/// with a TimeoutException, and a cancelled token ends the wait at once. Cancelling the operation's own
/// token on timeout stops it too (see <c>shield</c> for leaving it running on purpose).
/// </summary>
public sealed class WaitAsyncDemo : IDemo
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(2);

    public string Name => "wait-async";
    public string Group => "coordination";
    public string Description => "WaitAsync: a timeout that throws TimeoutException on time, and a caller's cancellation that ends the wait at once";
    public string Rules => "AP5005, AP5001";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var timeout = context.Scaled(Timeout);
        var slowPath = DemoContext.DelayPath(context.Scaled(Slow));
        var report = new DemoReport("wait", "outcome", "elapsed");

        await client.GetStringAsync("get", cancellationToken); // warm the connection up

        // A fast request finishes within the timeout.
        var clock = Stopwatch.StartNew();
        await client.GetStringAsync("get", cancellationToken).WaitAsync(timeout, cancellationToken);
        var fast = clock.Elapsed;
        report.AddRow("fast request, timeout " + Measure.Ms(timeout), "completed", Measure.Ms(fast));

        // A slow one: stop waiting at the timeout, and cancel the request itself.
        clock.Restart();
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var slow = client.GetStringAsync(slowPath, request.Token);
        string outcome;
        try
        {
            await slow.WaitAsync(timeout, cancellationToken);
            outcome = "completed";
        }
        catch (TimeoutException)
        {
            outcome = "TimeoutException";
            await request.CancelAsync();
        }
        var timedOutAfter = clock.Elapsed;
        await slow.Settled();
        report.AddRow("slow request, timeout " + Measure.Ms(timeout), $"{outcome}, request {slow.Status}", Measure.Ms(timedOutAfter));

        // The caller gives up: the wait ends when the caller's token is cancelled, before the timeout.
        clock.Restart();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        caller.CancelAfter(timeout / 4);
        var callerOutcome = "completed";
        try
        {
            await Task.Delay(context.Scaled(Slow), caller.Token).WaitAsync(timeout, caller.Token);
        }
        catch (OperationCanceledException) when (caller.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            callerOutcome = "OperationCanceledException";
        }
        var cancelledAfter = clock.Elapsed;
        report.AddRow("caller cancels after " + Measure.Ms(timeout / 4), callerOutcome, Measure.Ms(cancelledAfter));

        return report.Conclude(
            $"The slow request was abandoned at {Measure.Ms(timedOutAfter)} (timeout {Measure.Ms(timeout)}) and cancelled; the caller's cancellation ended its wait after {Measure.Ms(cancelledAfter)}.",
            Check.Under("fast request: completed within the timeout", fast, timeout),
            Check.Observed("slow request: TimeoutException", outcome == "TimeoutException", "yes", outcome),
            Check.Observed("slow request: cancelled", slow.IsCanceled, "yes", slow.Status.ToString()),
            Check.NotUnder("slow request: gave up no earlier than 0.9 x the timeout", timedOutAfter, timeout * 0.9),
            Check.Under("slow request: gave up before 3 x the timeout", timedOutAfter, timeout * 3),
            Check.Observed("caller cancels: OperationCanceledException", callerOutcome == "OperationCanceledException", "yes", callerOutcome),
            Check.Under("caller cancels: wait ended before the timeout", cancelledAfter, timeout));
    }
}
