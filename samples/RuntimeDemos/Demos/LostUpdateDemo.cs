using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP3003. Ten concurrent increments of one counter, each reading it, awaiting, then writing it
/// back: all ten read 0 and the counter ends at 1. Under a SemaphoreSlim it ends at 10.
/// </summary>
public sealed partial class LostUpdateDemo : IDemo
{
    private const int Increments = 10;
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(50);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _count;

    public string Name => "lost-update";
    public string Group => "pitfalls";
    public string Description => "ten concurrent increments across an await: a stale write-back versus a SemaphoreSlim";
    public string Rules => "AP3003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var work = context.Scaled(Work);

        _count = 0;
        await Task.WhenAll(Enumerable.Range(0, Increments).Select(_ => IncrementRacingAsync(work, cancellationToken)));
        var racing = _count;

        _count = 0;
        await Task.WhenAll(Enumerable.Range(0, Increments).Select(_ => IncrementAsync(work, cancellationToken)));
        var guarded = _count;

        var report = new DemoReport("variant", "expected", "actual");
        report.AddRow("read, await, write back (AP3003)", Increments.ToString(CultureInfo.InvariantCulture), racing.ToString(CultureInfo.InvariantCulture));
        report.AddRow("under a SemaphoreSlim", Increments.ToString(CultureInfo.InvariantCulture), guarded.ToString(CultureInfo.InvariantCulture));
        report.Harm("read, await, write back", Check.AtMost("racing: final count", racing, Increments - 1));
        return report.ConcludePitfall(
            $"{Increments - racing} of {Increments} increments were lost across the await; the guarded counter reached {guarded}.",
            Check.Exactly("under a SemaphoreSlim: final count", guarded, Increments));
    }

    // Good variant: nobody else can read the counter between this read and this write.
    private async Task IncrementAsync(TimeSpan work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var value = _count;
            await Task.Delay(work, cancellationToken);
            _count = value + 1;
        }
        finally
        {
            _gate.Release();
        }
    }
}
