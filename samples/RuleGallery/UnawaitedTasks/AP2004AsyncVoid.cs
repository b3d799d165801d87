using System;
using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2004: async void outside event handlers.
public sealed class Synchronizer
{
    // Pitfall: callers cannot await it, and an exception here ends the process.
    public async void SyncNow() // AP2004
    {
        await Task.Delay(10);
        throw new InvalidOperationException("sync failed");
    }

    // Correct twin.
    public async Task SyncNowAsync()
    {
        await Task.Delay(10);
    }

    // Not flagged: event handlers have a fixed void signature.
    public async void OnSyncRequested(object? sender, EventArgs e) => await SyncNowAsync();
}
