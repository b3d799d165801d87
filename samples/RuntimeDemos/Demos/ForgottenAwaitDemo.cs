using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP2001. The guides' forgotten await: the caller goes on before the work is done. A save that is
/// not awaited has not happened yet when the caller reads the store, and happens later, unobserved.
/// </summary>
public sealed partial class ForgottenAwaitDemo : IDemo
{
    private const int Orders = 5;
    private static readonly TimeSpan SaveLatency = TimeSpan.FromMilliseconds(100);

    public string Name => "forgotten-await";
    public string Group => "pitfalls";
    public string Description => $"{Orders} orders saved with and without await: what the caller sees right after";
    public string Rules => "AP2001";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var latency = context.Scaled(SaveLatency);

        var awaited = new OrderStore(latency);
        await SaveOrdersAsync(awaited, cancellationToken);
        var awaitedRightAfter = awaited.Count;

        var forgotten = new OrderStore(latency);
        SaveOrdersForgetting(forgotten);
        var forgottenRightAfter = forgotten.Count;
        await Task.Delay(latency * (Orders + 2), cancellationToken);
        var forgottenLater = forgotten.Count;

        var report = new DemoReport("variant", "saved when the caller went on", "saved a moment later");
        report.AddRow("save without await (AP2001)", $"{forgottenRightAfter} of {Orders}", $"{forgottenLater} of {Orders}");
        report.AddRow("await save", $"{awaitedRightAfter} of {Orders}", $"{awaited.Count} of {Orders}");
        report.Harm("save without await", Check.AtMost("without await: saved when the caller went on", forgottenRightAfter, Orders - 1));
        return report.ConcludePitfall(
            $"Without await the caller saw {forgottenRightAfter} of {Orders} orders saved; the rest landed later, where no caller could see a failure.",
            Check.Exactly("await: saved when the caller went on", awaitedRightAfter, Orders));
    }

    // Good variant.
    private static async Task SaveOrdersAsync(OrderStore store, CancellationToken cancellationToken)
    {
        for (var id = 1; id <= Orders; id++)
            await store.SaveAsync(id, cancellationToken);
    }

    /// <summary>A store whose writes take a moment, like a database round trip.</summary>
    private sealed class OrderStore
    {
        private readonly ConcurrentDictionary<int, bool> _saved = new();
        private readonly TimeSpan _latency;

        public OrderStore(TimeSpan latency) => _latency = latency;

        public int Count => _saved.Count;

        // Not async itself, like most library APIs: the compiler's CS4014 only knows async methods.
        public Task SaveAsync(int id, CancellationToken cancellationToken) => WriteAsync(id, cancellationToken);

        private async Task WriteAsync(int id, CancellationToken cancellationToken)
        {
            await Task.Delay(_latency, cancellationToken);
            _saved[id] = true;
        }
    }
}
