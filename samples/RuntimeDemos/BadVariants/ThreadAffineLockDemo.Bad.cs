using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class ThreadAffineLockDemo
{
    // Bad variant, on purpose: the release runs after the await, on a thread that does not own the lock.
    private static async Task HoldMonitorAcrossAwaitAsync(object monitor, TimeSpan work, CancellationToken cancellationToken)
    {
        Monitor.Enter(monitor);
        try
        {
            await Task.Delay(work, cancellationToken); // AP3005
        }
        finally
        {
            Monitor.Exit(monitor);
        }
    }
}
