using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Clients;

/// <summary>HTTP clients written the ways teams write them.</summary>
public sealed class CatalogClient
{
    private readonly Uri _baseAddress;
    private readonly HttpMessageHandler _handler;
    private readonly HttpClient _http;

    public CatalogClient(Uri baseAddress, HttpMessageHandler handler, HttpClient http)
    {
        _baseAddress = baseAddress;
        _handler = handler;
        _http = http;
    }

    // Depends on the instance: a static field cannot hold it. First in the file on purpose.
    public async Task<string> GetWithOwnHandlerAsync(string path, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = _baseAddress }; // unfixable: AP4002
        return await client.GetStringAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetStatusAsync(string url, CancellationToken cancellationToken)
    {
        using (var client = new HttpClient()) // fixable: AP4002
        {
            return await client.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<string> GetWithTimeoutAsync(string url, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(); // unfixable: AP4002
        client.Timeout = TimeSpan.FromSeconds(5);
        return await client.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PingAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        var probe = await _http.GetAsync(url + "/health", cancellationToken).ConfigureAwait(false); // fixable: AP4003
        return (int)response.StatusCode + (int)probe.StatusCode;
    }

    public async Task WarmAsync(string url, CancellationToken cancellationToken)
    {
        await _http.GetAsync(url, cancellationToken).ConfigureAwait(false); // fixable: AP4003
    }

    public async Task<string> GetWithDeadlineAsync(string url, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // fixable: AP4004
        deadline.CancelAfter(TimeSpan.FromSeconds(3));
        return await _http.GetStringAsync(url, deadline.Token).ConfigureAwait(false);
    }

    // Look-alikes: the injected client is shared; the source and response are disposed.
    public async Task<string> GetCorrectlyAsync(string url, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(3));
        using var response = await _http.GetAsync(url, deadline.Token).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
    }
}

internal static class LegacyDownloader
{
    // A client kept alive on purpose would be a field; these are created and forgotten.
    internal static async Task<string> DownloadAsync(string url)
    {
        var client = new HttpClient(); // fixable: AP4001 AP4002
        return await client.GetStringAsync(url);
    }

    internal static async Task<int> LengthAsync(string url)
    {
        string page = await new HttpClient().GetStringAsync(url); // unfixable: AP4001 fixable: AP4002
        return page.Length;
    }

    internal static async Task<string> DownloadTwiceAsync(string url, string mirror)
    {
        var client = new HttpClient(); // unfixable: AP4001 AP4002
        var first = await client.GetStringAsync(url);
        client = new HttpClient { BaseAddress = new Uri(mirror) }; // unfixable: AP4001 AP4002
        return first + await client.GetStringAsync(url);
    }
}
