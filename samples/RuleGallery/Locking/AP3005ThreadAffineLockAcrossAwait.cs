using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3005: a Monitor held across an await is released (or not) on another thread.
public sealed class Journal
{
    private readonly object _sync = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Pitfall: after the await the method may continue on another thread; Monitor.Exit then throws
    // SynchronizationLockException and the lock stays held by the first thread.
    public async Task AppendAsync(Func<Task> write)
    {
        Monitor.Enter(_sync);
        try
        {
            await write(); // AP3005
        }
        finally
        {
            Monitor.Exit(_sync);
        }
    }

    // Correct twin: SemaphoreSlim has no thread affinity and can be awaited.
    public async Task AppendSafelyAsync(Func<Task> write)
    {
        await _gate.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _gate.Release();
        }
    }
}
