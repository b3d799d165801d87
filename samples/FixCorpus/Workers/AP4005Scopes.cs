using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace FixCorpus.Workers;

/// <summary>A worker that runs each job in its own dependency-injection scope; the file configures its awaits.</summary>
public sealed class ScopedJobRunner
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IServiceProvider _services;
    private IServiceScope? _current;

    public ScopedJobRunner(IServiceScopeFactory scopes, IServiceProvider services) => (_scopes, _services) = (scopes, services);

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // The scope stays usable: 'var scope = ...CreateAsyncScope(); await using (scope.ConfigureAwait(false)) { ... }'.
        using var scope = _scopes.CreateScope(); // fixable: AP4005 expect: "_scopes.CreateAsyncScope()"
        var job = scope.ServiceProvider.GetRequiredService<IScopedJob>();
        await job.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RunEachAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            using (IServiceScope scope = _services.CreateScope()) // fixable: AP4005 expect: "var scope = _services.CreateAsyncScope()"
            {
                await Run(scope, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task RunTrackedAsync(CancellationToken cancellationToken)
    {
        // The scope is also kept in a field: as an AsyncServiceScope it would be a boxed copy there. No fix.
        using var scope = _scopes.CreateScope(); // unfixable: AP4005
        _current = scope;
        await Run(scope, cancellationToken).ConfigureAwait(false);
        _current = null;
    }

    // Correct look-alikes: an async scope awaited, a scope in synchronous code.
    public async Task RunCorrectlyAsync(CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await Run(scope, cancellationToken).ConfigureAwait(false);
        }
    }

    public bool IsRegistered()
    {
        using var scope = _scopes.CreateScope();
        return scope.ServiceProvider.GetService<IScopedJob>() is not null;
    }

    public bool IsRunning => _current is not null;

    private static Task Run(IServiceScope scope, CancellationToken cancellationToken)
        => scope.ServiceProvider.GetRequiredService<IScopedJob>().RunAsync(cancellationToken);
}

public interface IScopedJob
{
    Task RunAsync(CancellationToken cancellationToken);
}
