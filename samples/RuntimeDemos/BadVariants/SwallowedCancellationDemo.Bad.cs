using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class SwallowedCancellationDemo
{
    // Bad variant, on purpose: the stop request is caught and ignored on every iteration.
    private static async Task WorkSwallowingAsync(IterationCounter counter, TimeSpan tick, CancellationToken cancellationToken)
    {
        for (var i = 0; i < IterationCap; i++)
        {
            try
            {
                await Task.Delay(tick, cancellationToken);
            }
            catch (OperationCanceledException) // AP5001
            {
                await Task.Delay(tick, CancellationToken.None);
            }
            counter.Add();
        }
    }
}
