using System.Collections.Generic;
using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class LeaksDemo
{
    // Bad variant, on purpose: the source is never disposed.
    private static async Task HandleLeakingAsync(CancellationToken stopping, List<WeakReference> tracker)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping); // AP4004
        timeout.CancelAfter(RequestTimeout);
        tracker.Add(new WeakReference(timeout));
        await Task.Yield();
    }
}
