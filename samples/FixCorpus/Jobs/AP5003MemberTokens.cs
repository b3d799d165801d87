using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Jobs;

public interface IExportStore
{
    Task<int> CountAsync(CancellationToken cancellationToken = default);
    Task WriteAsync(string row, CancellationToken cancellationToken = default);
    IAsyncEnumerable<string> ReadRows(string table);
}

/// <summary>A job built per run, with the run's token (a primary constructor: a container cannot inject a token).</summary>
public sealed class ExportRun(IExportStore store, string table, CancellationToken cancellationToken)
{
    public bool Cancelled => cancellationToken.IsCancellationRequested;

    public async Task<int> RunAsync()
    {
        var total = await store.CountAsync().ConfigureAwait(false); // fixable: AP5003 expect: "CountAsync(cancellationToken)"
        await foreach (var row in store.ReadRows(table).ConfigureAwait(false)) // fixable: AP5003 expect: "WithCancellation(cancellationToken).ConfigureAwait(false)"
            await store.WriteAsync(row).ConfigureAwait(false); // fixable: AP5003 expect: "WriteAsync(row, cancellationToken)"
        return total;
    }

    public async Task CloseAsync()
    {
        // Clean-up runs to completion: not given the run's token.
        await store.WriteAsync("closed").ConfigureAwait(false);
    }
}

/// <summary>A record built per request, with the request's token.</summary>
public sealed record ImportRequest(IExportStore Store, string Table, CancellationToken Token)
{
    public async Task<List<string>> ReadAsync()
    {
        var rows = new List<string>();
        await foreach (var row in Store.ReadRows(Table)) // fixable: AP5003 expect: "ReadRows(Table).WithCancellation(Token)"
            rows.Add(row);
        return rows;
    }
}

/// <summary>A long-lived exporter: its token is its own lifetime, and its one-shot calls are not given it.</summary>
public sealed class Exporter : IDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _disposed;
    private readonly IExportStore _store;

    public Exporter(IExportStore store)
    {
        _store = store;
        _disposed = _lifetime.Token;
    }

    public Task<int> CountAsync() => _store.CountAsync();

    public async Task<int> CountWithTimeoutAsync(IAsyncEnumerable<string> rows)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var count = 0;
        await foreach (var row in rows) // fixable: AP5003 expect: "rows.WithCancellation(timeout.Token)"
            count += row.Length;
        return count;
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }
}
