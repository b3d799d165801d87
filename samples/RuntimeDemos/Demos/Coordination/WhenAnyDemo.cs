using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Coordination;

/// <summary>
/// Three uses of "the first one wins", each cleaning up after itself: the first of three mirrors to answer
/// (the others are cancelled, not left running), the first failure among several jobs (handled at once,
/// not after the slowest), and an overall timeout that cancels the work still pending.
/// </summary>
public sealed class WhenAnyDemo : IDemo
{
    private static readonly int[] MirrorDelaysMs = { 300, 100, 200 };
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(150);

    public string Name => "when-any";
    public string Group => "coordination";
    public string Description => "Task.WhenAny: first completed (the rest cancelled), first exception, and an overall timeout that cancels pending work";
    public string Rules => "AP5005, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var report = new DemoReport("pattern", "outcome", "after", "others");

        // First completed: race three mirrors, then cancel and await the losers.
        var clock = Stopwatch.StartNew();
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var mirrors = MirrorDelaysMs.Select((ms, i) => MirrorAsync(i, context.Scaled(TimeSpan.FromMilliseconds(ms)), race.Token)).ToList();
        var winner = await await Task.WhenAny(mirrors);
        var firstAfter = clock.Elapsed;
        await race.CancelAsync();
        await Task.WhenAll(mirrors).Settled();
        var losersCancelled = mirrors.Count(m => m.IsCanceled);
        report.AddRow("first completed", $"mirror {winner}", Measure.Ms(firstAfter), $"{losersCancelled} cancelled");

        // First exception: handle the first failure as it happens, then stop the rest.
        clock.Restart();
        using var jobsScope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobs = new List<Task>
        {
            WorkAsync(context.Scaled(TimeSpan.FromMilliseconds(400)), jobsScope.Token),
            FailAfterAsync(context.Scaled(TimeSpan.FromMilliseconds(100)), jobsScope.Token),
            WorkAsync(context.Scaled(TimeSpan.FromMilliseconds(400)), jobsScope.Token),
        };
        Exception? firstFailure = null;
        var pending = new List<Task>(jobs);
        while (pending.Count > 0 && firstFailure is null)
        {
            var done = await Task.WhenAny(pending).WaitAsync(cancellationToken);
            pending.Remove(done);
            firstFailure = done.Exception?.InnerException;
        }
        var failureAfter = clock.Elapsed;
        await jobsScope.CancelAsync();
        await Task.WhenAll(jobs).Settled();
        report.AddRow("first exception", firstFailure?.Message ?? "none", Measure.Ms(failureAfter), $"{jobs.Count(j => j.IsCanceled)} cancelled");

        // Overall timeout: stop waiting and cancel what is still running.
        clock.Restart();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var slow = WorkAsync(context.Scaled(TimeSpan.FromSeconds(2)), timeout.Token);
        var timedOut = false;
        try
        {
            await slow.WaitAsync(context.Scaled(Timeout), cancellationToken);
        }
        catch (TimeoutException)
        {
            timedOut = true;
            await timeout.CancelAsync();
        }
        await slow.Settled();
        report.AddRow("overall timeout", timedOut ? "timed out" : "finished", Measure.Ms(clock.Elapsed), slow.IsCanceled ? "work cancelled" : $"work {slow.Status}");

        // Handled before the long siblings could have finished: the failure was seen when it happened.
        return report.Conclude(
            "The fastest mirror won and the two others were cancelled; the failure was handled when it happened and the siblings cancelled; the timeout fired and cancelled the pending work.",
            Check.Exactly("first completed: winning mirror", winner, 1),
            Check.Exactly("first completed: others cancelled", losersCancelled, 2),
            Check.Observed("first exception: seen", firstFailure is not null),
            Check.Under("first exception: handled before the siblings' end", failureAfter, context.Scaled(TimeSpan.FromMilliseconds(400))),
            Check.Exactly("first exception: siblings cancelled", jobs.Count(j => j.IsCanceled), 2),
            Check.Observed("overall timeout: timed out", timedOut),
            Check.Observed("overall timeout: work cancelled", slow.IsCanceled, "yes", slow.Status.ToString()));
    }

    private static async Task<int> MirrorAsync(int mirror, TimeSpan delay, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return mirror;
    }

    private static Task WorkAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, cancellationToken);

    private static async Task FailAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        throw new InvalidOperationException("job 2 failed");
    }
}
