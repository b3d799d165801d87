namespace Orders.Core;

public sealed class OrderService
{
    private readonly Dictionary<int, string> _states = new();

    public async Task<string> WaitForShipmentAsync(int orderId, CancellationToken cancellationToken)
    {
        while (!_states.TryGetValue(orderId, out var state) || state != "shipped")
        {
            Thread.Sleep(500); // AsyncPitfalls reports AP1002 here
            await Task.Yield();
        }
        return "shipped";
    }

    public async Task<string> WaitForDeliveryAsync(int orderId, CancellationToken cancellationToken)
    {
        while (!_states.TryGetValue(orderId, out var state) || state != "delivered")
            await Task.Delay(500, cancellationToken);
        return "delivered";
    }

    public void Ship(int orderId) => _states[orderId] = "shipped";
}
