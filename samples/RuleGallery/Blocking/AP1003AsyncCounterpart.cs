using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Blocking;

// AP1003: a synchronous API called from async code although its awaitable twin exists.
public sealed class ReportWriter
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Pitfall: the disk reads and writes hold the thread; so does waiting for the gate.
    public async Task SaveBlockingAsync(string path, string report)
    {
        _gate.Wait(); // AP1003
        try
        {
            var previous = File.ReadAllText(path); // AP1003
            File.WriteAllText(path, previous + report); // AP1003
            await Task.Yield();
        }
        finally
        {
            _gate.Release();
        }
    }

    // Correct twin.
    public async Task SaveAsync(string path, string report, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var previous = await File.ReadAllTextAsync(path, cancellationToken);
            await File.WriteAllTextAsync(path, previous + report, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Not flagged: in-memory streams have nothing to wait for.
    public static async Task<byte[]> RenderAsync(string report)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new StreamWriter(buffer, leaveOpen: true))
            await writer.WriteAsync(report);
        buffer.Flush();
        return buffer.ToArray();
    }
}
