using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP3001. The guides' two workers: one takes lock A then lock B, the other B then A, and both
/// hold their first lock while the other takes its own. The inverted pair never finishes (detected
/// by a timeout; the two stuck threads are background threads, abandoned, so the pool is untouched);
/// the same workers with one lock order finish at once.
/// </summary>
public sealed partial class DeadlockDemo : IDemo
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    // The inverted pair and the ordered pair use separate locks: sharing them would put the good
    // workers in the bad workers' cycle (AP3001 would rightly report them too).
    private readonly object _a = new();
    private readonly object _b = new();
    private readonly object _first = new();
    private readonly object _second = new();

    public string Name => "deadlock";
    public string Group => "pitfalls";
    public string Description => "two workers taking two locks: inverted order deadlocks (caught by a timeout) versus one order";
    public string Rules => "AP3001";

    public Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var patience = context.Scaled(Patience);
        var inverted = RunPair(patience, ForwardInverted, ReverseInverted);
        var ordered = RunPair(patience, ForwardOrdered, ReverseOrdered);

        var report = new DemoReport("variant", "both workers finished", "time");
        report.AddRow("A then B, and B then A (AP3001)", inverted.Finished ? "yes" : "no: deadlocked", inverted.Finished ? $"{inverted.Elapsed.TotalMilliseconds:F0} ms" : $"gave up after {patience.TotalSeconds:F2} s");
        report.AddRow("A then B everywhere", ordered.Finished ? "yes" : "no: deadlocked", $"{ordered.Elapsed.TotalMilliseconds:F0} ms");
        report.Harm("A then B, and B then A", Check.Observed($"inverted order: still waiting after {Measure.Ms(patience)}", !inverted.Finished, "yes: deadlocked", "no: both finished"));
        return Task.FromResult(report.ConcludePitfall(
            inverted.Finished
                ? "The inverted workers finished: the interleaving did not happen this time."
                : $"The inverted workers were still waiting for each other after {patience.TotalSeconds:F2} s; with one lock order they finished in {ordered.Elapsed.TotalMilliseconds:F0} ms.",
            Check.Observed($"one order: both finished within {Measure.Ms(patience)}", ordered.Finished)));
    }

    /// <summary>Starts both workers on background threads, each taking its first lock before either takes its second.</summary>
    private static (bool Finished, TimeSpan Elapsed) RunPair(TimeSpan patience, Action<Barrier> first, Action<Barrier> second)
    {
        using var bothHoldOne = new Barrier(2);
        var stopwatch = Stopwatch.StartNew();
        var one = new Thread(() => first(bothHoldOne)) { IsBackground = true, Name = "deadlock demo 1" };
        var two = new Thread(() => second(bothHoldOne)) { IsBackground = true, Name = "deadlock demo 2" };
        one.Start();
        two.Start();
        var finished = one.Join(patience) && two.Join(patience);
        return (finished, stopwatch.Elapsed);
    }

    // Good variant: both workers take _first, then _second.
    private void ForwardOrdered(Barrier barrier)
    {
        barrier.SignalAndWait();
        lock (_first)
        {
            lock (_second)
            {
                Thread.Yield();
            }
        }
    }

    private void ReverseOrdered(Barrier barrier)
    {
        barrier.SignalAndWait();
        lock (_first)
        {
            lock (_second)
            {
                Thread.Yield();
            }
        }
    }
}
