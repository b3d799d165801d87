using System;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP3005. A method takes a Monitor lock, awaits, and releases the lock in finally. The code after the
/// await runs on a thread-pool thread, which does not own the lock: Monitor.Exit throws
/// SynchronizationLockException, and the lock stays owned by the thread that took it, so no other
/// thread can take it again. SemaphoreSlim has no owner thread: released after the await, it is free.
/// </summary>
public sealed partial class ThreadAffineLockDemo : IDemo
{
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(200);

    public string Name => "thread-affine-lock";
    public string Group => "pitfalls";
    public string Description => "a Monitor lock held across an await: released on another thread, versus a SemaphoreSlim";
    public string Rules => "AP3005";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var work = context.Scaled(Work);
        var patience = context.Scaled(Patience);

        var monitor = new object();
        var monitorRelease = await OutcomeAsync(StartOnOwnThread(() => HoldMonitorAcrossAwaitAsync(monitor, work, cancellationToken)));
        var monitorFree = await Task.Run(() => CanTake(monitor, patience), cancellationToken);

        using var semaphore = new SemaphoreSlim(1, 1);
        var semaphoreRelease = await OutcomeAsync(StartOnOwnThread(() => HoldSemaphoreAcrossAwaitAsync(semaphore, work, cancellationToken)));
        var semaphoreFree = await CanTakeAsync(semaphore, patience, cancellationToken);

        var report = new DemoReport("variant", "release after the await", "another thread can take the lock afterwards");
        report.AddRow("Monitor.Enter ... await ... Monitor.Exit (AP3005)", monitorRelease ?? "released", monitorFree ? "yes" : "no");
        report.AddRow("SemaphoreSlim.WaitAsync ... await ... Release", semaphoreRelease ?? "released", semaphoreFree ? "yes" : "no");
        report.Harm("Monitor held across an await",
            new Check("Monitor: release after the await", monitorRelease ?? "released", "throws", monitorRelease is not null),
            Check.Observed($"Monitor: still taken {Measure.Ms(patience)} later", !monitorFree, "yes", "no: free"));
        return report.ConcludePitfall(
            $"The Monitor release after the await {(monitorRelease is null ? "worked" : "threw " + monitorRelease)}, and another thread "
            + $"{(monitorFree ? "could" : "could not")} take the lock within {patience.TotalMilliseconds:F0} ms; the SemaphoreSlim was released "
            + $"and {(semaphoreFree ? "free" : "still taken")} afterwards.",
            Check.Observed("SemaphoreSlim: released after the await", semaphoreRelease is null, "yes", "no: " + semaphoreRelease),
            Check.Observed($"SemaphoreSlim: free within {Measure.Ms(patience)}", semaphoreFree));
    }

    /// <summary>
    /// Runs the synchronous part of <paramref name="start"/> (up to its first await) on a thread of its own,
    /// so the code after the await is sure to continue on a different, thread-pool, thread.
    /// </summary>
    private static Task StartOnOwnThread(Func<Task> start)
    {
        Task? started = null;
        var thread = new Thread(() => started = start()) { IsBackground = true };
        thread.Start();
        thread.Join();
        return started!;
    }

    /// <summary>Null when the task completes, else the name of the exception it ends with.</summary>
    private static async Task<string?> OutcomeAsync(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (SynchronizationLockException exception)
        {
            return exception.GetType().Name;
        }
    }

    private static bool CanTake(object monitor, TimeSpan patience)
    {
        var taken = false;
        try
        {
            Monitor.TryEnter(monitor, patience, ref taken);
            return taken;
        }
        finally
        {
            if (taken)
                Monitor.Exit(monitor);
        }
    }

    private static async Task<bool> CanTakeAsync(SemaphoreSlim semaphore, TimeSpan patience, CancellationToken cancellationToken)
    {
        if (!await semaphore.WaitAsync(patience, cancellationToken))
            return false;
        semaphore.Release();
        return true;
    }

    // Good variant: a SemaphoreSlim belongs to no thread, so any thread may release it.
    private static async Task HoldSemaphoreAcrossAwaitAsync(SemaphoreSlim semaphore, TimeSpan work, CancellationToken cancellationToken)
    {
        await semaphore.WaitAsync(cancellationToken);
        try
        {
            await Task.Delay(work, cancellationToken);
        }
        finally
        {
            semaphore.Release();
        }
    }
}
