using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2006: StartNew with an async delegate returns Task<Task>.
public sealed class Indexer
{
    private static async Task RebuildAsync() => await Task.Delay(100);

    // Pitfall: this await ends when RebuildAsync reaches its first await, not when it finishes.
    public async Task RebuildBlockingAsync()
    {
        await Task.Factory.StartNew(async () => await RebuildAsync()); // AP2006
    }

    // Correct twin: Task.Run unwraps.
    public async Task RebuildInBackgroundAsync() => await Task.Run(async () => await RebuildAsync());
}
