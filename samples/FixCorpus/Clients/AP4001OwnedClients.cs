using System;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;

namespace FixCorpus.Clients;

/// <summary>A client wrapper whose Dispose forgets the client it created.</summary>
public sealed class PricingClient : IDisposable
{
    private readonly HttpClient _http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) }; // fixable: AP4001
    private readonly Stream _audit = Stream.Null;

    public Task<string> GetPriceAsync(string sku) => _http.GetStringAsync("https://example.com/prices/" + sku);

    public void Dispose()
    {
        _audit.Dispose();
    }
}

/// <summary>A client that replaces its HttpClient on reconfiguration: disposing the old one would cancel its running requests.</summary>
public sealed class StockClient : IDisposable
{
    private HttpClient _http = new HttpClient();

    public Task<string> GetStockAsync(string sku) => _http.GetStringAsync("https://example.com/stock/" + sku);

    public void Reconfigure(TimeSpan timeout)
    {
        _http = new HttpClient { Timeout = timeout }; // unfixable: AP4001
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The correct look-alike: a client given to the type (by DI, a factory) is not the type's to dispose.</summary>
public sealed class ShippingClient
{
    private readonly HttpClient _http;

    public ShippingClient(HttpClient http) => _http = http;

    public Task<string> GetRateAsync(string zone) => _http.GetStringAsync("https://example.com/rates/" + zone);
}
