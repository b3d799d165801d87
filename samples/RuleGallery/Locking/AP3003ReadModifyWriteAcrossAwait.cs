using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3003: the guides' unsafe increment. The read happens before the await, the write after it.
public sealed class VisitCounter
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _visits;

    // Pitfall: ten concurrent calls each read 0, await, and write 1.
    public async Task RecordAsync(Func<Task<int>> fetchVisits)
    {
        _visits += await fetchVisits(); // AP3003
    }

    // Correct twin: the read-modify-write runs under a semaphore.
    public async Task RecordSafelyAsync(Func<Task<int>> fetchVisits)
    {
        await _gate.WaitAsync();
        try
        {
            _visits += await fetchVisits();
        }
        finally
        {
            _gate.Release();
        }
    }
}
