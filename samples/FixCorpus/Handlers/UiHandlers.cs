using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Handlers;

/// <summary>Event and command handlers, as in a desktop or bot front end.</summary>
public sealed class DashboardHandlers
{
    private readonly HttpClient _http;
    private readonly List<string> _log = new();
    private readonly object _sync = new();
    private readonly Timer _refreshTimer;

    public DashboardHandlers(HttpClient http)
    {
        _http = http;
        _refreshTimer = new Timer(async _ => await RefreshAsync(), null, Timeout.Infinite, Timeout.Infinite); // unfixable: AP2005
        Refreshed += OnRefreshed;
    }

    public event EventHandler? Refreshed;

    // Subscribed to an event: it must stay void.
    private async void OnRefreshed(object? sender, EventArgs e)
    {
        await _http.GetStringAsync("https://example.invalid/ping");
    }

    private async void Reload() // fixable: AP2004
    {
        var text = await _http.GetStringAsync("https://example.invalid/reload");
        _log.Add(text);
    }

    public async Task ReloadAllAsync(IEnumerable<string> urls)
    {
        Reload();
        new List<string>(urls).ForEach(async url => _log.Add(await _http.GetStringAsync(url))); // fixable: AP2005
        await Task.Yield();
    }

    public async Task RefreshAsync()
    {
        await Task.Factory.StartNew(async () => await _http.GetStringAsync("https://example.invalid/a")); // fixable: AP2006
        await Task.Factory.StartNew(async () => await _http.GetStringAsync("https://example.invalid/b"), TaskCreationOptions.LongRunning); // fixable: AP2006 expect: ".Unwrap()"
        Refreshed?.Invoke(this, EventArgs.Empty);
    }

    public Task<string> FetchReportAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return SendAndReadAsync(request); // fixable: AP2007
    }

    public Task<string> FetchLockedAsync(string url)
    {
        lock (_sync)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            return SendAndReadAsync(request); // unfixable: AP2007
        }
    }

    // Look-alikes: awaited inside the scope; Task.Run unwraps.
    public async Task<string> FetchReportCorrectlyAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await SendAndReadAsync(request);
    }

    public Task<string> RunInBackground() => Task.Run(async () => await _http.GetStringAsync("https://example.invalid/c"));

    private async Task<string> SendAndReadAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    public void Stop() => _refreshTimer.Dispose();
}
