using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Coordination;

/// <summary>
/// The guides' as_completed: handle each result as soon as its task finishes (Task.WhenEach, .NET 9+),
/// instead of waiting for the slowest with WhenAll. Then the same under an overall deadline: what has
/// finished by then is handled, the rest is cancelled.
/// </summary>
public sealed class CompletionOrderDemo : IDemo
{
    private static readonly int[] DelaysMs = { 500, 100, 300, 200, 400 };
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(250);

    public string Name => "completion-order";
    public string Group => "coordination";
    public string Description => "results handled as they complete with Task.WhenEach (the guides' as_completed), then under a deadline that cancels the rest";
    public string Rules => "AP2003, AP5003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        async Task<List<(TimeSpan Result, TimeSpan At)>> HandleAllAsync()
        {
            var clock = Stopwatch.StartNew();
            var all = DelaysMs.Select(ms => FetchAsync(context.Scaled(TimeSpan.FromMilliseconds(ms)), cancellationToken)).ToList();
            var handled = new List<(TimeSpan Result, TimeSpan At)>();
            await foreach (var task in Task.WhenEach(all).WithCancellation(cancellationToken))
                handled.Add((await task, clock.Elapsed));
            return handled;
        }

        static bool InOrder(List<(TimeSpan Result, TimeSpan At)> handled) => handled.Select(h => h.Result).SequenceEqual(handled.Select(h => h.Result).Order());

        // The order is decided by timers 100 ms apart (30 ms at --scale 0.3): a stall of a busy machine can bunch
        // them, so a run handled out of order is measured again (at most 3 runs).
        var (handled, runs) = await Remeasure.UntilAsync(HandleAllAsync, h => InOrder(h) && Check.Ratio("", h[^1].At, h[0].At, 2.0).Holds);
        var whenAllWouldStart = handled[^1].At;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(context.Scaled(Deadline));
        var bounded = DelaysMs.Select(ms => FetchAsync(context.Scaled(TimeSpan.FromMilliseconds(ms)), deadline.Token)).ToList();
        var inTime = 0;
        var cancelled = 0;
        await foreach (var task in Task.WhenEach(bounded).WithCancellation(cancellationToken))
        {
            if (task.IsCompletedSuccessfully)
                inTime++;
            else if (task.IsCanceled)
                cancelled++;
        }

        var report = new DemoReport("handled", "task's delay", "handled at");
        for (var i = 0; i < handled.Count; i++)
            report.AddRow($"#{i + 1}", Measure.Ms(handled[i].Result), Measure.Ms(handled[i].At));
        report.AddRow($"deadline {Measure.Ms(context.Scaled(Deadline))}: finished in time", Measure.N(inTime), "");
        report.AddRow($"deadline {Measure.Ms(context.Scaled(Deadline))}: cancelled", Measure.N(cancelled), "");

        var expectedInTime = DelaysMs.Count(ms => ms < Deadline.TotalMilliseconds);
        return report.Conclude(
            $"The first result was handled at {Measure.Ms(handled[0].At)}, WhenAll would have handed over the first at {Measure.Ms(whenAllWouldStart)}; under the deadline {inTime} finished and {cancelled} were cancelled.",
            Remeasure.Observed("handled in completion order", InOrder(handled), runs),
            Check.Ratio("last handled / first handled (when WhenAll would hand over the first)", whenAllWouldStart, handled[0].At, 2.0),
            Check.Exactly("under the deadline: finished in time", inTime, expectedInTime),
            Check.Exactly("under the deadline: cancelled", cancelled, DelaysMs.Length - expectedInTime));
    }

    private static async Task<TimeSpan> FetchAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return delay;
    }
}
