using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3006: WaitAsync with a timeout returns false when it times out; the finally releases all the same.
public sealed class ExportThrottle
{
    private readonly SemaphoreSlim _single = new(1, 1);

    // Pitfall: after a timeout the export runs without the slot and the release adds one: SemaphoreFullException here,
    // or, on a semaphore with room, one caller too many from then on.
    public async Task ExportAsync(Func<CancellationToken, Task> export, CancellationToken cancellationToken)
    {
        await _single.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken); // AP3006
        try
        {
            await export(cancellationToken);
        }
        finally
        {
            _single.Release();
        }
    }

    // Correct twin: the result decides whether the export runs, and the finally releases only what was taken.
    public async Task<bool> ExportSafelyAsync(Func<CancellationToken, Task> export, CancellationToken cancellationToken)
    {
        if (!await _single.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken))
            return false;
        try
        {
            await export(cancellationToken);
            return true;
        }
        finally
        {
            _single.Release();
        }
    }
}
