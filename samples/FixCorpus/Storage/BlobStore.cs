using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Storage;

/// <summary>A file-backed store guarded by a semaphore; library style (ConfigureAwait(false)).</summary>
public sealed class BlobStore : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _root;
    private Stream? _journal;
    private long _bytesWritten;

    public BlobStore(string root) => _root = root;

    public void OpenJournal() => _journal = new FileStream(Path.Combine(_root, "journal"), FileMode.Append);

    public long BytesWritten => _bytesWritten;

    public async Task CloseJournalAsync()
    {
        await Task.Yield();
        _journal?.Dispose(); // unfixable: AP4005
    }

    public async Task WriteAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false); // fixable: AP3002
        var path = Path.Combine(_root, name);
        await File.WriteAllBytesAsync(path, content, cancellationToken).ConfigureAwait(false);
        _gate.Release();
    }

    public async Task AppendAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(Path.Combine(_root, name), FileMode.Append); // fixable: AP4005
        await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        _bytesWritten += await WriteJournalAsync(name, cancellationToken).ConfigureAwait(false); // fixable: AP3003
    }

    public async Task<int> CopyAsync(string from, string to, CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false); // fixable: AP3006
            using (var source = File.OpenRead(Path.Combine(_root, from)))
            using (var target = File.Create(Path.Combine(_root, to))) // unfixable: AP4005 (stacked usings in a file that configures its awaits)
            {
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                return (int)target.Length;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> MeasureAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false); // fixable: AP3002 (the local used after the release is declared before the try)
        var info = new FileInfo(Path.Combine(_root, name));
        await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        _gate.Release();
        return info.Length;
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var journal = new FileStream(Path.Combine(_root, "journal"), FileMode.Append);
        await journal.FlushAsync(cancellationToken).ConfigureAwait(false);
        journal.Dispose(); // fixable: AP4005 expect: "await journal.DisposeAsync().ConfigureAwait(false)"
    }

    // Look-alikes: acquired before the try, released in finally; disposed asynchronously.
    public async Task WriteCorrectlyAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var stream = new FileStream(Path.Combine(_root, name), FileMode.Create);
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long> WriteJournalAsync(string name, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        return name.Length;
    }

    public async ValueTask DisposeAsync()
    {
        if (_journal is not null)
            await _journal.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
