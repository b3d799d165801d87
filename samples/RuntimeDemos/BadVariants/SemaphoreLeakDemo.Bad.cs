using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class SemaphoreLeakDemo
{
    // Bad variant, on purpose: an exception from the work skips the release.
    private static async Task HandleLeakingAsync(SemaphoreSlim slots, bool fail, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken); // AP3002
        await DoWorkAsync(fail, cancellationToken);
        slots.Release();
    }
}
