using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Services;

/// <summary>A price list refreshed under a semaphore, with its releases in the try, in a catch and after the try.</summary>
public sealed class PriceListService
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Func<CancellationToken, Task<Dictionary<string, decimal>>> _load;
    private Dictionary<string, decimal> _prices = new();
    private int _failures;
    private int _reads;

    public PriceListService(Func<CancellationToken, Task<Dictionary<string, decimal>>> load) => _load = load;

    public int Failures => _failures;

    public int Reads => _reads;

    // The case the rule cannot fix comes first: Fix All and dotnet format start from the first diagnostic.
    public async Task<decimal> PriceAsync(string sku, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken); // unfixable: AP3002 (a release in the catch and one after the try)
        Dictionary<string, decimal> prices;
        try
        {
            prices = await _load(cancellationToken);
        }
        catch
        {
            _refresh.Release();
            throw;
        }
        var price = prices[sku];
        _refresh.Release();
        return price;
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken); // fixable: AP3002 (the release moves into a new finally)
        try
        {
            _prices = await _load(cancellationToken);
            _refresh.Release();
        }
        catch (IOException)
        {
            _failures++;
        }
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken); // fixable: AP3002 (the release moves to the start of the finally)
        try
        {
            var loaded = await _load(cancellationToken);
            var count = loaded.Count;
            _refresh.Release();
            return count;
        }
        finally
        {
            _reads++;
        }
    }

    // Look-alikes: every path releases (a catch-all that releases, then the release right after the try; a finally).
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            _prices = await _load(cancellationToken);
        }
        catch
        {
            _refresh.Release();
            throw;
        }
        _refresh.Release();
    }

    public async Task RefreshCorrectlyAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            _prices = await _load(cancellationToken);
        }
        catch (IOException)
        {
            _failures++;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public decimal Cached(string sku) => _prices.TryGetValue(sku, out var price) ? price : 0m;
}
