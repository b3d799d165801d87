using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Coordination;

/// <summary>
/// Task.WhenAll over five jobs, two of which fail. Without failures every result comes back in order.
/// With failures, <c>await</c> rethrows only the first exception (like the guides' gather without
/// return_exceptions); the WhenAll task's Exception holds all of them, and the jobs that succeeded
/// still have their results.
/// </summary>
public sealed class WhenAllFailuresDemo : IDemo
{
    private const int Jobs = 5;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(40);

    public string Name => "when-all-failures";
    public string Group => "coordination";
    public string Description => "Task.WhenAll with and without failures: await rethrows the first exception, the task keeps them all";
    public string Rules => "AP2003, AP5002";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var step = context.Scaled(Step);

        var allGood = await Task.WhenAll(Enumerable.Range(1, Jobs).Select(i => JobAsync(i, failing: false, step, cancellationToken)));

        var jobs = Enumerable.Range(1, Jobs).Select(i => JobAsync(i, failing: i is 2 or 4, step, cancellationToken)).ToArray();
        var whenAll = Task.WhenAll(jobs);
        Exception? rethrown = null;
        try
        {
            await whenAll;
        }
        catch (InvalidOperationException ex)
        {
            rethrown = ex;
        }
        var collected = whenAll.Exception?.InnerExceptions ?? [];
        var survivors = jobs.Where(j => j.IsCompletedSuccessfully).Select(j => j.Result).ToList();

        var report = new DemoReport("observation", "value");
        report.AddRow("no failures: results", string.Join(", ", allGood));
        report.AddRow("two failures: exceptions seen by await", rethrown is null ? "0" : $"1 ({rethrown.Message})");
        report.AddRow("two failures: exceptions in WhenAll's Exception", $"{collected.Count} ({string.Join("; ", collected.Select(e => e.Message))})");
        report.AddRow("two failures: jobs that still returned a result", $"{survivors.Count} ({string.Join(", ", survivors)})");
        return report.Conclude(
            $"await surfaced one exception; the WhenAll task held all {collected.Count}; the {survivors.Count} jobs that succeeded kept their results.",
            Check.Observed("no failures: every result, in order", allGood.SequenceEqual(Enumerable.Range(1, Jobs).Select(i => i * 10))),
            Check.Observed("two failures: await rethrew one", rethrown is not null),
            Check.Exactly("two failures: exceptions in WhenAll's Exception", collected.Count, 2),
            Check.Exactly("two failures: jobs that kept a result", survivors.Count, Jobs - 2));
    }

    private static async Task<int> JobAsync(int id, bool failing, TimeSpan step, CancellationToken cancellationToken)
    {
        await Task.Delay(step * id, cancellationToken);
        if (failing)
            throw new InvalidOperationException($"job {id} failed");
        return id * 10;
    }
}
