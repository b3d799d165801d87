using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Locking;

// AP3002: the release is in the try, or in a catch and after the try, but not in a finally: some path skips it.
public sealed class ReportCache
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private string _report = "";

    // Pitfall: the release is the try's last statement; when the load throws, the catch logs and the slot is gone.
    public async Task RefreshAsync(Func<CancellationToken, Task<string>> load, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken); // AP3002
        try
        {
            _report = await load(cancellationToken);
            _refresh.Release();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(e.Message);
        }
    }

    // Pitfall: a release in the catch and one after the try; the trim after the try throws on a null report, and
    // neither release runs.
    public async Task<string> TrimmedAsync(Func<CancellationToken, Task<string>> load, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken); // AP3002
        string report;
        try
        {
            report = await load(cancellationToken);
        }
        catch
        {
            _refresh.Release();
            throw;
        }
        var trimmed = report.Trim();
        _refresh.Release();
        return trimmed;
    }

    // Correct twin: the release is in the finally, which runs on every path.
    public async Task RefreshSafelyAsync(Func<CancellationToken, Task<string>> load, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            _report = await load(cancellationToken);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(e.Message);
        }
        finally
        {
            _refresh.Release();
        }
    }
}
