using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP5001. A worker loop is asked to stop. Letting the OperationCanceledException through stops it
/// at once; catching and ignoring it keeps the loop running, here until its iteration cap.
/// </summary>
public sealed partial class SwallowedCancellationDemo : IDemo
{
    private const int IterationCap = 20;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    public string Name => "swallowed-cancellation";
    public string Group => "pitfalls";
    public string Description => "a worker asked to stop: cancellation swallowed in its loop versus let through";
    public string Rules => "AP5001";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var tick = context.Scaled(Tick);
        var prompt = await MeasureStopAsync(tick, (counter, ct) => WorkAsync(counter, tick, ct));
        var swallowing = await MeasureStopAsync(tick, (counter, ct) => WorkSwallowingAsync(counter, tick, ct));

        var report = new DemoReport("variant", "time to stop after the request", "iterations after the request");
        report.AddRow("cancellation swallowed (AP5001)", $"{swallowing.TimeToStop.TotalSeconds:F2} s", swallowing.IterationsAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.AddRow("cancellation let through", $"{prompt.TimeToStop.TotalSeconds:F2} s", prompt.IterationsAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Iterations, not time, tell whether the worker went on: a worker that stops still finishes its cleanup.
        report.Harm("cancellation swallowed", Check.AtLeast("swallowed: iterations after the stop request", swallowing.IterationsAfter, prompt.IterationsAfter + 1));
        return report.ConcludePitfall(
            $"Swallowing kept the worker going for {swallowing.IterationsAfter} more iterations ({swallowing.TimeToStop.TotalSeconds:F2} s); letting cancellation through stopped it in {prompt.TimeToStop.TotalMilliseconds:F0} ms.",
            Check.Exactly("let through: iterations after the stop request", prompt.IterationsAfter, 0));
    }

    // Good variant: cancellation ends the loop and reaches the caller.
    private static async Task WorkAsync(IterationCounter counter, TimeSpan tick, CancellationToken cancellationToken)
    {
        for (var i = 0; i < IterationCap; i++)
        {
            await Task.Delay(tick, cancellationToken);
            counter.Add();
        }
    }

    private static async Task<(TimeSpan TimeToStop, int IterationsAfter)> MeasureStopAsync(TimeSpan tick, Func<IterationCounter, CancellationToken, Task> worker)
    {
        using var stop = new CancellationTokenSource();
        var counter = new IterationCounter();
        var running = worker(counter, stop.Token);
        await Task.Delay(tick * 3, CancellationToken.None);

        var atRequest = counter.Count;
        var stopwatch = Stopwatch.StartNew();
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // The prompt worker ends this way: the outcome being measured.
        }
        return (stopwatch.Elapsed, counter.Count - atRequest);
    }

    private sealed class IterationCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }
}
