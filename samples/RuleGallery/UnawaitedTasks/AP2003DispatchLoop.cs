using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2003 in a dispatch loop: each job read from a channel starts a task, collected and never awaited.
public sealed class JobDispatcher
{
    private readonly Channel<string> _jobs = Channel.CreateUnbounded<string>();
    private readonly List<Task> _running = new();

    // Pitfall: pruning drops the failed jobs unobserved, and the loop ends with jobs still running.
    public async Task DispatchBlockingAsync(Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        await foreach (var job in _jobs.Reader.ReadAllAsync(cancellationToken))
        {
            running.RemoveAll(task => task.IsCompleted);
            running.Add(handle(job, cancellationToken)); // AP2003
        }
    }

    // Pitfall: a field the loop fills, which no code of the type awaits.
    public async Task DispatchIntoFieldAsync(Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync(cancellationToken))
            _running.Add(handle(job, cancellationToken)); // AP2003
    }

    // Correct twin: the jobs still running when the channel completes are awaited, their failures seen.
    public async Task DispatchAsync(Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        await foreach (var job in _jobs.Reader.ReadAllAsync(cancellationToken))
            running.Add(handle(job, cancellationToken));
        await Task.WhenAll(running);
    }
}
