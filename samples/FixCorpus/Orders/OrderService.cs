using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Orders;

public sealed record Order(int Id, string Customer, decimal Total);

public interface IOrderStore
{
    Task<Order?> FindAsync(int id, CancellationToken cancellationToken = default);
    Task SaveAsync(Order order, CancellationToken cancellationToken = default);
    Task<int> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>A library-style service: every await says ConfigureAwait(false), so the fixes must too.</summary>
public sealed class OrderService
{
    private readonly IOrderStore _store;
    private readonly string _exportDirectory;

    public OrderService(IOrderStore store, string exportDirectory)
    {
        _store = store;
        _exportDirectory = exportDirectory;
    }

    // A wait with a timeout returns bool and has no await twin: first in the file on purpose.
    public async Task<bool> WarmUpAsync(Task warmUp)
    {
        await Task.Yield();
        return warmUp.Wait(250); // unfixable: AP1001
    }

    public async Task<decimal> TotalOfAsync(int id, CancellationToken cancellationToken)
    {
        var order = _store.FindAsync(id, cancellationToken).Result; // fixable: AP1001
        await Task.Yield();
        return order?.Total ?? 0m;
    }

    public async Task<int> ReportAsync(CancellationToken cancellationToken)
    {
        var count = await _store.CountAsync(cancellationToken).ConfigureAwait(false);
        var header = File.ReadAllText(Path.Combine(_exportDirectory, "header.txt")); // fixable: AP1003 expect: "cancellationToken).ConfigureAwait(false)"
        Console.WriteLine(header.Length + count);
        return count;
    }

    internal async Task ExportAsync(IEnumerable<Order> orders, CancellationToken cancellationToken)
    {
        foreach (var order in orders) // fixable: AP5004
        {
            await File.AppendAllTextAsync(Path.Combine(_exportDirectory, "orders.csv"), $"{order.Id},{order.Total}\n").ConfigureAwait(false); // fixable: AP5003
        }
    }

    public async Task ArchiveAsync(Order order, CancellationToken cancellationToken)
    {
        var saved = _store.SaveAsync(order, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_exportDirectory, $"{order.Id}.txt"), order.Customer, cancellationToken).ConfigureAwait(false);
        await saved.ConfigureAwait(false);
    }

    // Not async yet: "Add await" makes it async and keeps its Task type.
    internal Task RecordAsync(Order order, CancellationToken cancellationToken)
    {
        _store.SaveAsync(order, cancellationToken); // fixable: AP2001 expect: "await _store.SaveAsync(order, cancellationToken).ConfigureAwait(false)"
        return File.AppendAllTextAsync(Path.Combine(_exportDirectory, "log.txt"), order.Id + "\n", cancellationToken);
    }

    public async Task<int> CountAfterSaveAsync(Order order, CancellationToken cancellationToken)
    {
        await _store.SaveAsync(order, cancellationToken).ConfigureAwait(false);
        var pending = _store.CountAsync(cancellationToken); // fixable: AP2002
        await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        return 1;
    }

    // Callers in this file use the value: "Add await" would hand them a Task<Order>, so only "Discard explicitly" fits.
    private Order Stamp(Order order)
    {
        _store.SaveAsync(order); // fixable: AP2001 expect: "_ = _store" (the callers read the returned order)
        return order with { Customer = order.Customer.Trim() };
    }

    public decimal StampedTotal(Order order) => Stamp(order).Total;

    // Look-alike: awaited, forwarded token, asynchronous file API.
    public async Task<Order?> LoadAsync(int id, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(_exportDirectory, "header.txt"), cancellationToken).ConfigureAwait(false);
        return text.Length == 0 ? null : await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);
    }
}
