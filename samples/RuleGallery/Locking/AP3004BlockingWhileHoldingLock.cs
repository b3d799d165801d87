using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3004: a synchronous wait while holding a lock stretches the critical section by the whole wait.
public sealed class PriceCache
{
    private readonly object _sync = new();
    private decimal _price;

    // Pitfall: every reader queues behind the download while the lock is held.
    public decimal Refresh(Task<decimal> download)
    {
        lock (_sync)
        {
            _price = download.Result; // AP3004
            return _price;
        }
    }

    // Correct twin: finish the wait first, hold the lock only to publish.
    public async Task<decimal> RefreshAsync(Task<decimal> download)
    {
        var price = await download;
        lock (_sync)
        {
            _price = price;
            return _price;
        }
    }
}
