using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2003: tasks started in a loop, collected, and never awaited.
public sealed class Prefetcher
{
    private readonly HttpClient _http;

    public Prefetcher(HttpClient http) => _http = http;

    // Pitfall: the method returns while the downloads still run; their failures are lost.
    public async Task PrefetchBlockingAsync(IEnumerable<string> urls)
    {
        var downloads = new List<Task<string>>();
        foreach (var url in urls)
            downloads.Add(_http.GetStringAsync(url)); // AP2003
        await Task.Yield();
    }

    // Correct twin: concurrently, and awaited.
    public async Task PrefetchAsync(IEnumerable<string> urls)
    {
        var downloads = new List<Task<string>>();
        foreach (var url in urls)
            downloads.Add(_http.GetStringAsync(url));
        await Task.WhenAll(downloads);
    }
}
