using System.Collections.Generic;
using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2005: an async lambda handed to an API that takes a void-returning delegate.
public sealed class Notifier
{
    private static Task SendAsync(string user) => Task.Delay(10);

    // Pitfall: ForEach returns at each lambda's first await; the sends are not awaited.
    public void NotifyAllBlocking(List<string> users)
    {
        users.ForEach(async user => await SendAsync(user)); // AP2005
    }

    // Correct twin.
    public async Task NotifyAllAsync(List<string> users)
    {
        foreach (var user in users)
            await SendAsync(user);
    }
}
