using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace FixCorpus.Workers;

/// <summary>Dispatch loops that start a task per message read from a channel or a queue, the way workers are written.</summary>
public sealed class MessageDispatcher
{
    private readonly Channel<string> _inbox = Channel.CreateBounded<string>(100);
    private readonly ConcurrentQueue<string> _retries = new();
    private readonly List<Task> _inFlight = new();
    private readonly List<Task> _tracked = new();
    private readonly Func<string, CancellationToken, Task> _handle;

    public MessageDispatcher(Func<string, CancellationToken, Task> handle) => _handle = handle;

    // The field no code of the type awaits comes first: dotnet format takes the first diagnostic's fix.
    public async Task RunIntoFieldAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            lock (_inFlight)
                _inFlight.Add(_handle(message, stoppingToken)); // unfixable: AP2003
        }
    }

    public async Task DispatchAsync(CancellationToken stoppingToken)
    {
        var handlers = new List<Task>();
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            handlers.RemoveAll(handler => handler.IsCompleted);
            handlers.Add(_handle(message, stoppingToken)); // fixable: AP2003
        }
        Console.WriteLine("inbox completed");
    }

    public async Task DrainAsync(CancellationToken stoppingToken)
    {
        var handlers = new List<Task>();
        while (await _inbox.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            while (_inbox.Reader.TryRead(out var message))
                handlers.Add(_handle(message, stoppingToken)); // fixable: AP2003
        }
    }

    public async Task DispatchByIdAsync(CancellationToken stoppingToken)
    {
        var handlers = new ConcurrentDictionary<Guid, Task>();
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            var id = Guid.NewGuid();
            var handler = _handle(message, stoppingToken);
            handlers[id] = handler; // fixable: AP2003
            _ = handler.ContinueWith(_ => handlers.TryRemove(id, out Task? _), TaskScheduler.Default);
        }
    }

    public async Task RetryAllAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var retries = new List<Task>();
        while (_retries.TryDequeue(out var message))
            retries.Add(_handle(message, cancellationToken)); // fixable: AP2003
    }

    // Only the token's cancellation ends this loop: code after it never runs, so no fix.
    public async Task PumpAsync(CancellationToken stoppingToken)
    {
        var handlers = new List<Task>();
        while (true)
        {
            var message = await _inbox.Reader.ReadAsync(stoppingToken).ConfigureAwait(false);
            handlers.Add(_handle(message, stoppingToken)); // unfixable: AP2003
        }
    }

    // Look-alikes: awaited after the loop, bounded with WhenAny, a field that StopAsync awaits.
    public async Task DispatchAndWaitAsync(CancellationToken stoppingToken)
    {
        var handlers = new List<Task>();
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            handlers.Add(_handle(message, stoppingToken));
        await Task.WhenAll(handlers).ConfigureAwait(false);
    }

    public async Task DispatchBoundedAsync(CancellationToken stoppingToken)
    {
        var handlers = new List<Task>();
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            handlers.Add(_handle(message, stoppingToken));
            if (handlers.Count >= 8)
                handlers.Remove(await Task.WhenAny(handlers).ConfigureAwait(false));
        }
        await Task.WhenAll(handlers).ConfigureAwait(false);
    }

    public async Task TrackAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            lock (_tracked)
                _tracked.Add(_handle(message, stoppingToken));
        }
    }

    public async Task StopAsync()
    {
        Task[] pending;
        lock (_tracked)
            pending = _tracked.ToArray();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }
}
