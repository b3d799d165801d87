using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4002: an HttpClient per call, even disposed correctly.
public sealed class WeatherClient
{
    private static readonly HttpClient Http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

    // Pitfall: a new connection pool, TCP handshake and TIME_WAIT socket for every call.
    public async Task<string> GetForecastPerCallAsync(string url)
    {
        using var client = new HttpClient(); // AP4002
        return await client.GetStringAsync(url);
    }

    // Correct twin: one client for the application.
    public Task<string> GetForecastAsync(string url) => Http.GetStringAsync(url);
}
