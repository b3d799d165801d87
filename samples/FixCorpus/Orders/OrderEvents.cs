using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Orders;

public interface INotifier
{
    Task NotifyAsync(string message);
}

/// <summary>Application code without ConfigureAwait: the fixes must not add it here.</summary>
public class OrderEvents
{
    private readonly IOrderStore _store;
    private readonly INotifier _notifier;

    public OrderEvents(IOrderStore store, INotifier notifier)
    {
        _store = store;
        _notifier = notifier;
        _notifier.NotifyAsync("order events ready"); // fixable: AP2001 expect: "_ = _notifier" (no await in a constructor)
    }

    public event EventHandler? Changed;

    public virtual Task OnShippedAsync(Order order) => Task.CompletedTask;

    public async Task ShipAsync(Order order)
    {
        await _store.SaveAsync(order);
        Changed?.Invoke(this, EventArgs.Empty);
        Announce(order);
    }

    private void Announce(Order order)
    {
        _notifier.NotifyAsync($"order {order.Id} shipped"); // fixable: AP2001 expect: "await _notifier"
    }

    public async Task NotifyAllAsync(IEnumerable<Order> orders)
    {
        var sends = new List<Task>();
        foreach (var order in orders)
            sends.Add(_notifier.NotifyAsync($"order {order.Id}")); // fixable: AP2003
        await Task.Yield();
    }

    public async Task NotifyAllCorrectlyAsync(IEnumerable<Order> orders)
    {
        var sends = new List<Task>();
        foreach (var order in orders)
            sends.Add(_notifier.NotifyAsync($"order {order.Id}"));
        await Task.WhenAll(sends);
    }

    public async Task<string> DescribeAsync(int id)
    {
        var order = _store.FindAsync(id);
        var summary = "order " + id;
        return summary + (await order)?.Customer;
    }

    // A timer callback must stay void: only "Discard explicitly" fits.
    internal Timer StartHeartbeat() => new Timer(OnHeartbeat, null, 1000, 1000);

    private void OnHeartbeat(object? state)
    {
        _notifier.NotifyAsync("heartbeat"); // fixable: AP2001 expect: "_ = _notifier" (the method is a TimerCallback)
    }

    // A stackalloc buffer used after the call: no await can go here at C# 12 (nor at 13, the span lives across it).
    internal int Checksum(string text)
    {
        Span<byte> buffer = stackalloc byte[16];
        _notifier.NotifyAsync("checksum"); // fixable: AP2001 expect: "_ = _notifier" (a span local lives across the call)
        buffer[0] = (byte)text.Length;
        return buffer[0];
    }

    // Look-alike: an explicit discard is a decision, not a forgotten await.
    public void FireAndForgetAudit(Order order) => _ = _notifier.NotifyAsync($"audit {order.Id}");
}

public sealed class LoggingOrderEvents : OrderEvents
{
    private readonly INotifier _notifier;

    public LoggingOrderEvents(IOrderStore store, INotifier notifier) : base(store, notifier) => _notifier = notifier;

    public override Task OnShippedAsync(Order order)
    {
        _notifier.NotifyAsync($"shipped {order.Id}"); // fixable: AP2001 expect: "await _notifier" (a Task-returning override becomes async without changing its signature)
        return Task.CompletedTask;
    }
}
