using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Services;

public interface IInventoryStore
{
    Task<int> CountAsync(string sku, CancellationToken cancellationToken = default);
    Task ReserveAsync(string sku, int quantity, CancellationToken cancellationToken = default);
}

/// <summary>An application service in the style of a web app's domain layer (no ConfigureAwait).</summary>
internal sealed class InventoryService
{
    private readonly IInventoryStore _store;
    private readonly SemaphoreSlim _reservations = new(4, 4);
    private int _lastCount;

    public InventoryService(IInventoryStore store) => _store = store;

    // Called from a synchronous method: its callers cannot await it. First in the file on purpose.
    private async void Prefetch(string sku) // unfixable: AP2004
    {
        _lastCount = await _store.CountAsync(sku);
    }

    public void Warm(string sku) => Prefetch(sku);

    public async Task<int> ReserveWithRetryAsync(string sku, int quantity)
    {
        using var attempts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            if (await _store.CountAsync(sku, attempts.Token) >= quantity)
                break;
            Thread.Sleep(TimeSpan.FromMilliseconds(200)); // fixable: AP1002
        }
        await _store.ReserveAsync(sku, quantity, attempts.Token);
        return quantity;
    }

    public async Task ReportAsync(string sku)
    {
        var count = _store.CountAsync(sku);
        await Task.Yield();
        Console.WriteLine(count); // fixable: AP2002
    }

    public Task RebuildAsync(string sku) => Task.Factory.StartNew(async () => await _store.ReserveAsync(sku, 0)); // fixable: AP2006

    public async Task<int> RebuildAndCountAsync(string sku)
    {
        var outer = Task.Factory.StartNew(async () => await _store.CountAsync(sku)); // look-alike: unwrapped below
        var inner = await outer;
        return await inner;
    }

    public Task ReserveWithDeadlineAsync(string sku, int quantity)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return _store.ReserveAsync(sku, quantity, deadline.Token); // fixable: AP2007
    }

    public async Task<int> CountWithTimeoutAsync(string sku)
    {
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // fixable: AP4004
        return await _store.CountAsync(sku, timeout.Token);
    }

    public async Task<string> FetchPriceListAsync(string url)
    {
        var client = new HttpClient(); // fixable: AP4001 unfixable: AP4002 (the client is configured after creation)
        client.Timeout = TimeSpan.FromSeconds(3);
        return await client.GetStringAsync(url);
    }

    public async Task ReserveQuietlyAsync(string sku, int quantity, CancellationToken cancellationToken)
    {
        try
        {
            await _store.ReserveAsync(sku, quantity, cancellationToken);
        }
        catch (OperationCanceledException) // fixable: AP5001
        {
        }
    }

    public async Task<int> CountOrTimeOutAsync(string sku)
    {
        var counting = _store.CountAsync(sku);
        if (await Task.WhenAny(counting, Task.Delay(5000)) != counting) // fixable: AP5005
            throw new TimeoutException();
        return await counting;
    }

    public async Task ReserveAllAsync(IReadOnlyList<string> skus, CancellationToken cancellationToken)
    {
        await _reservations.WaitAsync(cancellationToken); // fixable: AP3002
        var reserved = 0;
        foreach (var sku in skus)
        {
            await _store.ReserveAsync(sku, 1, cancellationToken);
            reserved++;
        }
        _lastCount += reserved;
        _reservations.Release();
    }

    // Look-alikes: awaited in the scope, disposed source, token passed on.
    public async Task ReserveCorrectlyAsync(string sku, int quantity)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _store.ReserveAsync(sku, quantity, deadline.Token);
    }
}
