using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Workers;

public interface IQueue
{
    Task<string?> DequeueAsync(CancellationToken cancellationToken);
    Task AckAsync(string message, CancellationToken cancellationToken);
}

/// <summary>A background worker, the way hosted services are written.</summary>
public sealed class QueueWorker
{
    private readonly IQueue _queue;
    private readonly Func<string, CancellationToken, Task> _handle;
    private readonly Func<string, Task> _archive;
    private int _processed;

    public QueueWorker(IQueue queue, Func<string, CancellationToken, Task> handle, Func<string, Task> archive)
    {
        _queue = queue;
        _handle = handle;
        _archive = archive;
    }

    public int Processed => _processed;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var message = await _queue.DequeueAsync(stoppingToken);
            if (message is null)
            {
                Thread.Sleep(500); // fixable: AP1002
                continue;
            }
            try
            {
                await _handle(message, stoppingToken);
                await _queue.AckAsync(message, stoppingToken);
            }
            catch (Exception exception)
            {
                Console.WriteLine($"message failed: {exception.Message}");
            }
        }
    }

    public async Task PumpAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                var message = await _queue.DequeueAsync(stoppingToken);
                if (message is not null)
                    await _handle(message, stoppingToken);
            }
            catch (OperationCanceledException) // fixable: AP5001
            {
                Console.WriteLine("pump cancelled");
            }
            catch (Exception exception)
            {
                Console.WriteLine($"pump failed: {exception.Message}");
            }
        }
    }

    public async Task DrainAsync(IReadOnlyList<string> backlog, CancellationToken cancellationToken)
    {
        foreach (var message in backlog) // fixable: AP5004
            await _archive(message);
    }

    public async Task<bool> TryHandleAsync(string message, CancellationToken cancellationToken)
    {
        try
        {
            await _handle(message, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task PollAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            var body = await http.GetStringAsync(url, cancellationToken);
            _processed += body.Length;
        }
        catch (TaskCanceledException) // fixable: AP5006
        {
            Console.WriteLine("poll cancelled");
            throw;
        }
    }

    public async Task PollWithDiagnosticsAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            await http.GetStringAsync(url, cancellationToken);
        }
        catch (TaskCanceledException cancelled) // unfixable: AP5006
        {
            Console.WriteLine($"poll cancelled, task {cancelled.Task?.Id}");
            throw;
        }
    }

    public async Task PollAndRememberAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            await http.GetStringAsync(url, cancellationToken);
        }
        catch (TaskCanceledException cancelled) // unfixable: AP5006 (the handler keeps it in a TaskCanceledException local)
        {
            TaskCanceledException last = cancelled;
            Console.WriteLine($"poll cancelled: {last.Message}");
            throw;
        }
    }

    // Look-alikes: the catch-all lets cancellation through, the loop passes the token.
    public async Task RunCorrectlyAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var message = await _queue.DequeueAsync(stoppingToken);
                if (message is null)
                {
                    await Task.Delay(500, stoppingToken);
                    continue;
                }
                await _handle(message, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Console.WriteLine($"message failed: {exception.Message}");
            }
        }
    }
}

internal static class Retry
{
    internal static async Task<T> WithBackoffAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (i < 3) // fixable: AP5002
            {
                await Task.Delay(100 * (i + 1)).ConfigureAwait(false); // fixable: AP5003
            }
        }
    }

    internal static void BackOffSync(int attempt)
    {
        // Look-alike: a synchronous method may sleep (AP1002 is about async code).
        Thread.Sleep(10 * attempt);
    }
}
