using System;
using System.IO;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5005 in a read loop: an idle timeout made of WhenAny and Delay gives up the read it started.
public static class IdleConnections
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    // Pitfall: when the peer goes quiet the loop stops waiting, but the read goes on: the next bytes it takes are lost.
    public static async Task PumpBlockingAsync(Stream stream, Func<byte[], int, Task> onData)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var read = stream.ReadAsync(buffer, 0, buffer.Length);
            if (await Task.WhenAny(read, Task.Delay(IdleTimeout)) != read) // AP5005
                return;
            var count = await read;
            if (count == 0)
                return;
            await onData(buffer, count);
        }
    }

    // Correct twin: the read the timeout gives up on is kept and raced again, so no byte is lost.
    public static async Task PumpAsync(Stream stream, Func<byte[], int, Task> onData, Func<Task> sendKeepAlive)
    {
        var buffer = new byte[4096];
        Task<int>? read = null;
        while (true)
        {
            read ??= stream.ReadAsync(buffer, 0, buffer.Length);
            if (await Task.WhenAny(read, Task.Delay(IdleTimeout)) != read)
            {
                await sendKeepAlive();
                continue;
            }
            var count = await read;
            read = null;
            if (count == 0)
                return;
            await onData(buffer, count);
        }
    }
}
