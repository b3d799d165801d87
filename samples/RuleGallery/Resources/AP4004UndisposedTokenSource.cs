using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4004: token sources with timers and links, never disposed.
public static class Deadlines
{
    // Pitfall: each call leaves a timer and a registration on the caller's token behind.
    public static async Task RunLeakingAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // AP4004
        linked.CancelAfter(TimeSpan.FromSeconds(30));
        await work(linked.Token);
    }

    // Correct twin.
    public static async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        linked.CancelAfter(TimeSpan.FromSeconds(30));
        await work(linked.Token);
    }
}
