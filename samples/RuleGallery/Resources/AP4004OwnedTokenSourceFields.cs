using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4004: token sources a type creates and keeps in a field, never disposed or replaced without disposing.
// Pitfall: the linked source stays registered on the host's stopping token after the poller is gone.
public sealed class LeakingPoller
{
    private readonly CancellationTokenSource _polling;

    public LeakingPoller(CancellationToken stopping)
        => _polling = CancellationTokenSource.CreateLinkedTokenSource(stopping); // AP4004

    public void Stop() => _polling.Cancel();
}

// Pitfall: a fresh linked source per job, and only the last one is disposed.
public sealed class LeakingJobRunner : IDisposable
{
    private CancellationTokenSource? _current;

    public async Task RunAllAsync(IEnumerable<Func<CancellationToken, Task>> jobs, CancellationToken cancellationToken)
    {
        foreach (var job in jobs)
        {
            _current = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // AP4004
            await job(_current.Token);
        }
    }

    public void Dispose() => _current?.Dispose();
}

// Correct twin: the owner is disposable and disposes its source; each job's source is disposed before the next.
public sealed class JobRunner : IDisposable
{
    private readonly CancellationTokenSource _polling;
    private CancellationTokenSource? _current;

    public JobRunner(CancellationToken stopping)
        => _polling = CancellationTokenSource.CreateLinkedTokenSource(stopping);

    public async Task RunAllAsync(IEnumerable<Func<CancellationToken, Task>> jobs)
    {
        foreach (var job in jobs)
        {
            _current?.Dispose();
            _current = CancellationTokenSource.CreateLinkedTokenSource(_polling.Token);
            await job(_current.Token);
        }
    }

    public void Dispose()
    {
        _current?.Dispose();
        _polling.Dispose();
    }
}
