using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class LostUpdateDemo
{
    // Bad variant, on purpose: the value read before the await is written back after it.
    private async Task IncrementRacingAsync(TimeSpan work, CancellationToken cancellationToken)
    {
        var value = _count;
        await Task.Delay(work, cancellationToken);
        _count = value + 1; // AP3003
    }
}
