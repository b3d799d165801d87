using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP5005. Slow jobs given a short timeout. With Task.WhenAny and Task.Delay the caller gets its
/// timeout, but every job keeps running and finishes later, unobserved (the counter shows it); with
/// WaitAsync, cancelling the job's token when the wait times out, the jobs stop.
/// </summary>
public sealed partial class TimeoutDemo : IDemo
{
    private const int Jobs = 5;
    private static readonly TimeSpan JobDuration = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    public string Name => "timeout";
    public string Group => "pitfalls";
    public string Description => $"{Jobs} slow jobs with a short timeout: WhenAny with Delay leaves them running; WaitAsync and a cancelled token stop them";
    public string Rules => "AP5005";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var duration = context.Scaled(JobDuration);
        var timeout = context.Scaled(Timeout);

        var cancelled = new FinishedCounter();
        var cancelledTimeouts = await RunAllAsync(() => RunWithTimeoutAsync(cancelled, duration, timeout, cancellationToken));
        var leftRunning = new FinishedCounter();
        var leftTimeouts = await RunAllAsync(() => RunWithWhenAnyAsync(leftRunning, duration, timeout));

        // Give the abandoned jobs the time they need, then count who finished behind the caller's back.
        await Task.Delay(duration * 2, cancellationToken);

        var report = new DemoReport("timeout built with", "timeouts reported", "jobs that finished anyway");
        report.AddRow("Task.WhenAny(job, Task.Delay) (AP5005)", $"{leftTimeouts} of {Jobs}", $"{leftRunning.Count} of {Jobs}");
        report.AddRow("WaitAsync, cancelling the job on timeout", $"{cancelledTimeouts} of {Jobs}", $"{cancelled.Count} of {Jobs}");
        // A timeout does its job when the caller hears of it and the work stops.
        report.Harm("Task.WhenAny(job, Task.Delay)",
            Check.AtLeast("WhenAny: jobs run to the end after their timeout, plus timeouts not reported", leftRunning.Count + (Jobs - leftTimeouts), 1));
        return report.ConcludePitfall(
            $"Both reported {Jobs} timeouts; behind the WhenAny timeouts {leftRunning.Count} jobs ran to the end anyway, behind the cancelled ones none did.",
            Check.Exactly("WaitAsync: timeouts reported", cancelledTimeouts, Jobs),
            Check.Exactly("WaitAsync: jobs run to the end after their timeout", cancelled.Count, 0));
    }

    // Good variant: stop waiting at the timeout, and cancel the job left behind. (Relying on
    // CancelAfter alone races with disposing the source when the wait ends: its timer may never fire.)
    private static async Task RunWithTimeoutAsync(FinishedCounter finished, TimeSpan duration, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var jobSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var job = SlowJobAsync(finished, duration, jobSource.Token);
        try
        {
            await job.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            await jobSource.CancelAsync();
            throw;
        }
    }

    private static async Task SlowJobAsync(FinishedCounter finished, TimeSpan duration, CancellationToken cancellationToken)
    {
        await Task.Delay(duration, cancellationToken);
        finished.Add();
    }

    /// <summary>Runs every job, each with its timeout, and counts the TimeoutExceptions.</summary>
    private static async Task<int> RunAllAsync(Func<Task> job)
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(async _ =>
        {
            try
            {
                await job();
                return false;
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }));
        return outcomes.Count(timedOut => timedOut);
    }

    private sealed class FinishedCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }
}
