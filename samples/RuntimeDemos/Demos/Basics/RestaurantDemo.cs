using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Basics;

/// <summary>
/// The guides' restaurant: orders arrive one after another, each takes its own time to cook, and one
/// kitchen (one thread's worth of waiting) cooks them all at once. Dishes are served as they are ready,
/// so the serving order follows the cooking times, not the arrival order, and the evening lasts about
/// as long as the slowest dish.
/// </summary>
public sealed class RestaurantDemo : IDemo
{
    private static readonly (string Dish, TimeSpan CookTime)[] Orders =
    {
        ("steak", TimeSpan.FromMilliseconds(600)),
        ("salad", TimeSpan.FromMilliseconds(150)),
        ("pasta", TimeSpan.FromMilliseconds(400)),
        ("soup", TimeSpan.FromMilliseconds(250)),
    };

    /// <summary>Cooking one dish at a time takes at least this many times as long as the evening (about 2.3x: 1,400 ms against 600).</summary>
    private const double Margin = 1 / 0.75;

    public string Name => "restaurant";
    public string Group => "basics";
    public string Description => "four orders cooked at once and served as they are ready (Task.WhenEach): completion order, not arrival order";
    public string Rules => "AP1002, AP2001";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        async Task<(List<(string Dish, int ArrivedAs, TimeSpan At)> Served, TimeSpan Evening)> ServeEveningAsync()
        {
            var clock = Stopwatch.StartNew();
            var cooking = new Dictionary<Task<string>, int>();
            for (var i = 0; i < Orders.Length; i++)
                cooking[CookAsync(Orders[i].Dish, context.Scaled(Orders[i].CookTime), cancellationToken)] = i;

            var served = new List<(string Dish, int ArrivedAs, TimeSpan At)>();
            await foreach (var dish in Task.WhenEach(cooking.Keys).WithCancellation(cancellationToken))
                served.Add((await dish, cooking[dish] + 1, clock.Elapsed));
            return (served, clock.Elapsed);
        }

        var byCookTime = Orders.OrderBy(o => o.CookTime).Select(o => o.Dish).ToList();
        var sumOfCookTimes = context.Scaled(TimeSpan.FromTicks(Orders.Sum(o => o.CookTime.Ticks)));
        // The serving order is decided by timers 150 ms apart (45 ms at --scale 0.3): a stall of a busy machine can
        // bunch them, so an evening served out of order is measured again (at most 3 evenings).
        var ((served, evening), evenings) = await Remeasure.UntilAsync(ServeEveningAsync,
            run => run.Served.Select(s => s.Dish).SequenceEqual(byCookTime) && Check.Ratio("", sumOfCookTimes, run.Evening, Margin).Holds);

        var report = new DemoReport("served", "dish", "arrived as", "cook time", "served at");
        for (var i = 0; i < served.Count; i++)
        {
            var order = Orders[served[i].ArrivedAs - 1];
            report.AddRow($"#{i + 1}", served[i].Dish, $"#{served[i].ArrivedAs}", Measure.Ms(context.Scaled(order.CookTime)), Measure.Ms(served[i].At));
        }

        var servedOrder = string.Join(", ", served.Select(s => s.Dish));
        return report.Conclude(
            $"Served in cooking-time order ({string.Join(", ", served.Select(s => s.Dish))}), not arrival order; the evening took {Measure.Ms(evening)}, against {Measure.Ms(sumOfCookTimes)} cooking one dish at a time.",
            new Check("serving order", evenings == 1 ? servedOrder : $"{servedOrder} (evening {evenings} of at most {RatioClaim.DefaultAttempts})",
                string.Join(", ", byCookTime) + " (cooking time)", served.Select(s => s.Dish).SequenceEqual(byCookTime)),
            Check.Ratio("one dish at a time / the evening", sumOfCookTimes, evening, Margin));
    }

    private static async Task<string> CookAsync(string dish, TimeSpan cookTime, CancellationToken cancellationToken)
    {
        // Waiting for the oven holds no thread: the kitchen cooks every order at once.
        await Task.Delay(cookTime, cancellationToken);
        return dish;
    }
}
