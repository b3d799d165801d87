using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Workers;

/// <summary>A poller that owns a linked source but is not disposable: implementing IDisposable is the owner's call.</summary>
public sealed class HeartbeatPoller
{
    private readonly CancellationTokenSource _beats;

    public HeartbeatPoller(CancellationToken stopping)
        => _beats = CancellationTokenSource.CreateLinkedTokenSource(stopping); // unfixable: AP4004

    public CancellationToken Token => _beats.Token;

    public void Stop() => _beats.Cancel();
}

/// <summary>A batch runner with a source per batch and an idle timeout its Dispose forgets.</summary>
public sealed class BatchRunner : IDisposable
{
    private readonly CancellationTokenSource _idle = new CancellationTokenSource(TimeSpan.FromMinutes(10)); // fixable: AP4004
    private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
    private CancellationTokenSource? _batch;

    public async Task RunAsync(IEnumerable<Func<CancellationToken, Task>> batches)
    {
        foreach (var batch in batches)
        {
            _batch = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, _idle.Token); // fixable: AP4004
            _batch.CancelAfter(TimeSpan.FromSeconds(30));
            await batch(_batch.Token).ConfigureAwait(false);
        }
    }

    public void Stop() => _stopping.Cancel();

    public void Dispose()
    {
        _batch?.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>The correct look-alike: each run's source is disposed before the next, and the owner disposes the rest.</summary>
public sealed class TidyBatchRunner : IDisposable
{
    private readonly CancellationTokenSource _idle = new CancellationTokenSource(TimeSpan.FromMinutes(10));
    private CancellationTokenSource? _batch;

    public async Task RunAsync(IEnumerable<Func<CancellationToken, Task>> batches)
    {
        foreach (var batch in batches)
        {
            Interlocked.Exchange(ref _batch, CancellationTokenSource.CreateLinkedTokenSource(_idle.Token))?.Dispose();
            await batch(_batch.Token).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _batch?.Dispose();
        _idle.Dispose();
    }
}
