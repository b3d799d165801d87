using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3006: the wait sits inside the try whose finally releases, so a cancelled wait releases a slot it never took.
public sealed class Throttle
{
    private readonly SemaphoreSlim _single = new(1, 1);

    // Pitfall: when WaitAsync is cancelled, Release raises the count to 2 and two callers get in from then on.
    public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await _single.WaitAsync(cancellationToken); // AP3006
            await work(cancellationToken);
        }
        finally
        {
            _single.Release();
        }
    }

    // Correct twin: acquire before the try.
    public async Task RunSafelyAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await _single.WaitAsync(cancellationToken);
        try
        {
            await work(cancellationToken);
        }
        finally
        {
            _single.Release();
        }
    }
}
