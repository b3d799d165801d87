using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5005: a timeout built from WhenAny and Delay leaves the slow work running.
public static class Timeouts
{
    // Pitfall: after the timeout the report is still being built, by nobody's request.
    public static async Task<string> BuildBlockingAsync(Func<Task<string>> build)
    {
        var report = build();
        if (await Task.WhenAny(report, Task.Delay(TimeSpan.FromSeconds(2))) != report) // AP5005
            throw new TimeoutException();
        return await report;
    }

    // Correct twin: the timeout cancels the work it gives up on.
    public static async Task<string> BuildAsync(Func<CancellationToken, Task<string>> build, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        return await build(timeout.Token).WaitAsync(timeout.Token);
    }
}
