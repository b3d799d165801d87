using System;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Basics;

/// <summary>
/// Unlike a Python coroutine, a .NET Task is already running when the call returns it: its side effect
/// happens before anyone awaits. A <c>Func&lt;Task&gt;</c> is the lazy form, running only when invoked. The
/// demo also walks a task through its states (running, completed, faulted, canceled).
/// </summary>
public sealed class TaskLifecycleDemo : IDemo
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    public string Name => "task-lifecycle";
    public string Group => "basics";
    public string Description => "a Task runs as soon as it is created (unlike a coroutine); a Func<Task> waits to be invoked; the states a task goes through";
    public string Rules => "AP2002, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var pause = context.Scaled(Pause);
        var hotStarted = 0;
        var lazyStarted = 0;

        // Hot: calling the method starts the work.
        var hot = RecordStartAsync(() => hotStarted++, pause, cancellationToken);
        // Lazy: nothing runs until the delegate is invoked.
        Func<Task> lazy = () => RecordStartAsync(() => lazyStarted++, pause, cancellationToken);
        var hotBeforeAwait = hotStarted;
        var lazyBeforeInvoke = lazyStarted;
        var statusWhileRunning = hot.Status;
        await hot;
        await lazy();

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var faulted = FailAsync();
        var canceled = Task.Delay(pause, cancelled.Token);
        // Wait for both to end without rethrowing: their states are what this demo reads.
        await Task.WhenAll(faulted, canceled).Settled();

        var report = new DemoReport("observation", "value");
        report.AddRow("hot task: started before the first await", (hotBeforeAwait == 1).ToString());
        report.AddRow("hot task: status before the await", statusWhileRunning.ToString());
        report.AddRow("hot task: status after the await", hot.Status.ToString());
        report.AddRow("Func<Task>: started before invoking", (lazyBeforeInvoke == 1).ToString());
        report.AddRow("Func<Task>: started after invoking", (lazyStarted == 1).ToString());
        report.AddRow("task that threw", $"{faulted.Status} ({faulted.Exception?.InnerException?.GetType().Name})");
        report.AddRow("task whose token was cancelled", canceled.Status.ToString());
        return report.Conclude(
            "The task's work began when the method was called, before any await; the Func<Task> began only when invoked. A task ends RanToCompletion, Faulted or Canceled.",
            Check.Exactly("hot task: starts before the first await", hotBeforeAwait, 1),
            Check.Exactly("Func<Task>: starts before invoking", lazyBeforeInvoke, 0),
            Check.Exactly("Func<Task>: starts after invoking", lazyStarted, 1),
            Check.Observed("hot task: RanToCompletion after the await", hot.Status == TaskStatus.RanToCompletion, "yes", hot.Status.ToString()),
            Check.Observed("task that threw: Faulted", faulted.IsFaulted, "yes", faulted.Status.ToString()),
            Check.Observed("task whose token was cancelled: Canceled", canceled.IsCanceled, "yes", canceled.Status.ToString()));
    }

    private static async Task RecordStartAsync(Action recordStart, TimeSpan pause, CancellationToken cancellationToken)
    {
        recordStart();
        await Task.Delay(pause, cancellationToken);
    }

    private static async Task FailAsync()
    {
        await Task.Yield();
        throw new InvalidOperationException("the task failed");
    }
}
