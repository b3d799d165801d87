using System;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Workers;

/// <summary>An export worker that waits for a slot with a timeout; library style (ConfigureAwait(false)).</summary>
public sealed class ExportWorker
{
    private readonly SemaphoreSlim _exports = new(2, 2);
    private readonly SemaphoreSlim _single = new(1, 1);
    private readonly Func<string, CancellationToken, Task> _export;
    private readonly Action<string> _write;

    public ExportWorker(Func<string, CancellationToken, Task> export, Action<string> write)
    {
        _export = export;
        _write = write;
    }

    // The case the rule cannot fix comes first: Fix All and dotnet format start from the first diagnostic.
    public async Task ExportOrFailAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _single.WaitAsync(1000, cancellationToken).ConfigureAwait(false)) // unfixable: AP3006 (the result is checked inside the try)
                throw new TimeoutException();
            await _export(name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _single.Release();
        }
    }

    public async Task ExportAsync(string name, CancellationToken cancellationToken)
    {
        await _exports.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); // fixable: AP3006 expect: "var exportsAcquired = await _exports.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)"
        try
        {
            await _export(name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _exports.Release();
        }
    }

    public void WriteNow(string name)
    {
        try
        {
            _single.Wait(1000); // fixable: AP3006 expect: "singleAcquired = _single.Wait(1000)"
            _write(name);
        }
        finally
        {
            _single.Release();
        }
    }

    // Look-alikes: the result decides whether the try runs; the release is guarded by it.
    public async Task<bool> TryExportAsync(string name, CancellationToken cancellationToken)
    {
        if (!await _exports.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
            return false;
        try
        {
            await _export(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _exports.Release();
        }
    }

    public void WriteGuarded(string name)
    {
        var taken = false;
        try
        {
            taken = _single.Wait(1000);
            _write(name);
        }
        finally
        {
            if (taken)
                _single.Release();
        }
    }
}
