using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Blocking;

// AP1001: a synchronous wait on a task in async code holds a thread until the task is done.
public sealed class PriceService
{
    private readonly HttpClient _http;
    private Task<string>? _cached;

    public PriceService(HttpClient http) => _http = http;

    // Pitfall: .Result blocks the thread the awaited call would have freed; under a UI or classic
    // ASP.NET SynchronizationContext it deadlocks.
    public async Task<int> TotalBlockingAsync(IEnumerable<string> urls)
    {
        var pages = urls.Select(url => _http.GetStringAsync(url)).ToList();
        await Task.Yield();
        var total = 0;
        foreach (var page in pages)
            total += page.Result.Length; // AP1001
        return total;
    }

    // Correct twin: await them all, then read the results of tasks known to be complete.
    public async Task<int> TotalAsync(IEnumerable<string> urls, CancellationToken cancellationToken)
    {
        var pages = urls.Select(url => _http.GetStringAsync(url, cancellationToken)).ToList();
        await Task.WhenAll(pages);
        var total = 0;
        foreach (var page in pages)
            total += page.Result.Length;
        return total;
    }

    // Pitfall: the older wait-all style.
    public async Task RefreshBlockingAsync(Task first, Task second)
    {
        Task.WaitAll(first, second); // AP1001
        await Task.Yield();
    }

    // Correct twin.
    public async Task RefreshAsync(Task first, Task second) => await Task.WhenAll(first, second);

    // Not flagged: a cached task read only once it has completed.
    public async Task<string> CachedAsync(string url)
    {
        _cached ??= _http.GetStringAsync(url);
        if (_cached.IsCompletedSuccessfully)
            return _cached.Result;
        return await _cached;
    }
}
