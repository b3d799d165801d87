using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5006: TaskCanceledException is not what a channel throws on cancellation.
public static class Consumer
{
    // Pitfall: ReadAsync throws OperationCanceledException, which this handler never sees.
    public static async Task<int?> TakeBlockingAsync(ChannelReader<int> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (TaskCanceledException) // AP5006
        {
            Console.WriteLine("stopped waiting");
            throw;
        }
    }

    // Correct twin.
    public static async Task<int?> TakeAsync(ChannelReader<int> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopped waiting");
            throw;
        }
    }
}
