using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5003 with a token the object keeps: a run built with its token, and an await foreach given none.

// Pitfall: the run was built with its token, and its calls do not get it.
public sealed class ArchiveRunBlocking(string path, CancellationToken cancellationToken)
{
    public bool Cancelled => cancellationToken.IsCancellationRequested;

    public async Task<string> RunAsync()
    {
        var text = await File.ReadAllTextAsync(path); // AP5003
        await Task.Delay(100); // AP5003
        return text;
    }
}

// Correct twin.
public sealed class ArchiveRun(string path, CancellationToken cancellationToken)
{
    public async Task<string> RunAsync()
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        await Task.Delay(100, cancellationToken);
        return text;
    }
}

public static class LineCounter
{
    // Pitfall: the timeout's token never reaches the sequence.
    public static async Task<int> CountBlockingAsync(IAsyncEnumerable<string> lines)
    {
        using var timeout = new CancellationTokenSource(System.TimeSpan.FromSeconds(5));
        var count = 0;
        await foreach (var line in lines.ConfigureAwait(false)) // AP5003
            count++;
        return count;
    }

    // Correct twin.
    public static async Task<int> CountAsync(IAsyncEnumerable<string> lines)
    {
        using var timeout = new CancellationTokenSource(System.TimeSpan.FromSeconds(5));
        var count = 0;
        await foreach (var line in lines.WithCancellation(timeout.Token).ConfigureAwait(false))
            count++;
        return count;
    }
}
