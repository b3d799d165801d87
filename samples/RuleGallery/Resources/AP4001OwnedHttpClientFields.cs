using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4001: a client a type creates and keeps in a field, never disposed.
// Pitfall: every LeakingForecastClient opens its own connection pool, and nothing ever closes it.
public sealed class LeakingForecastClient
{
    private readonly HttpClient _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) }; // AP4001

    public Task<string> GetForecastAsync(string city) => _http.GetStringAsync("https://example.com/forecast/" + city);
}

// Correct twins: share one client for the process, or own one and dispose it with the owner.
public sealed class SharedForecastClient
{
    private static readonly HttpClient Shared = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

    public Task<string> GetForecastAsync(string city) => Shared.GetStringAsync("https://example.com/forecast/" + city);
}

public sealed class OwningForecastClient : IDisposable
{
    private readonly HttpClient _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

    public Task<string> GetForecastAsync(string city) => _http.GetStringAsync("https://example.com/forecast/" + city);

    public void Dispose() => _http.Dispose();
}
