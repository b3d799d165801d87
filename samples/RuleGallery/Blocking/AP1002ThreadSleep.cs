using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Blocking;

// AP1002: Thread.Sleep in async code holds a thread-pool thread for the whole wait.
public sealed class StatusPoller
{
    private readonly HttpClient _http;

    public StatusPoller(HttpClient http) => _http = http;

    // Pitfall: every poller that sleeps holds a pool thread; fifty of them starve the pool.
    public async Task<string> WaitUntilReadyBlockingAsync(Uri status)
    {
        while (true)
        {
            var state = await _http.GetStringAsync(status);
            if (state == "ready")
                return state;
            Thread.Sleep(TimeSpan.FromSeconds(1)); // AP1002
        }
    }

    // Correct twin: the wait releases the thread and stops when the caller cancels.
    public async Task<string> WaitUntilReadyAsync(Uri status, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = await _http.GetStringAsync(status, cancellationToken);
            if (state == "ready")
                return state;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    // Pitfall: a Task-returning method without async is still called from async code.
    public Task<bool> PingBlocking()
    {
        Thread.Sleep(200); // AP1002
        return Task.FromResult(true);
    }

    // Correct twin.
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(200, cancellationToken);
        return true;
    }

    // Not flagged: a dedicated thread may sleep; it blocks nobody else.
    public static Thread StartHeartbeat(Action beat)
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                beat();
                Thread.Sleep(1000);
            }
        }) { IsBackground = true };
        thread.Start();
        return thread;
    }
}
