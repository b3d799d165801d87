using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3002: a semaphore released by a plain statement stays taken when the work in between throws.
public sealed class Uploader
{
    private readonly SemaphoreSlim _slots = new(4, 4);

    // Pitfall: one failed upload leaks a slot; after four failures every caller waits forever.
    public async Task UploadAsync(Func<CancellationToken, Task> upload, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken); // AP3002
        await upload(cancellationToken);
        _slots.Release();
    }

    // Correct twin: the release is in a finally.
    public async Task UploadSafelyAsync(Func<CancellationToken, Task> upload, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await upload(cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }
}
