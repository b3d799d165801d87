using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class TimeoutDemo
{
    // Bad variant, on purpose: the caller stops waiting; the job does not stop working.
    private static async Task RunWithWhenAnyAsync(FinishedCounter finished, TimeSpan duration, TimeSpan timeout)
    {
        var job = SlowJobAsync(finished, duration, CancellationToken.None);
        if (await Task.WhenAny(job, Task.Delay(timeout)) != job) // AP5005
            throw new TimeoutException();
    }
}
