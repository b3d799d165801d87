using System;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5001: a caught cancellation that is never re-raised.
public sealed class QueuePump
{
    private readonly Func<CancellationToken, Task> _pumpOnce;

    public QueuePump(Func<CancellationToken, Task> pumpOnce) => _pumpOnce = pumpOnce;

    // Pitfall: shutdown cancels the token, the catch eats it, and the loop goes on forever.
    public async Task RunBlockingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _pumpOnce(cancellationToken);
            }
            catch (OperationCanceledException) // AP5001
            {
                Console.WriteLine("pump cancelled");
            }
        }
    }

    // Correct twin: cancellation ends the loop and reaches the caller.
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
            await _pumpOnce(cancellationToken);
    }
}
