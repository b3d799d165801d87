using System;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Orders;

/// <summary>Continuations on order work: the ones that ignore the task they continue lose its exception.</summary>
public sealed class OrderFollowUps
{
    private readonly IOrderArchive _archive;
    private int _archived;

    public OrderFollowUps(IOrderArchive archive) => _archive = archive;

    public void ArchiveAndCount(int orderId)
    {
        // Awaiting or discarding the continuation would not observe ArchiveAsync: no fix.
        _archive.ArchiveAsync(orderId).ContinueWith(_ => Interlocked.Increment(ref _archived)); // unfixable: AP2001
    }

    public void ArchiveLater(int orderId)
    {
        var archiving = _archive.ArchiveAsync(orderId);
        archiving.ContinueWith(t => Console.WriteLine($"order {orderId} archived")); // unfixable: AP2001
    }

    // Correct look-alikes: the continuation reads the task, or only runs for a fault it logs.
    public void ArchiveObserved(int orderId)
    {
        _archive.ArchiveAsync(orderId).ContinueWith(t =>
        {
            if (t.IsFaulted)
                Console.Error.WriteLine(t.Exception);
            else
                Interlocked.Increment(ref _archived);
        });
        _archive.ArchiveAsync(orderId).ContinueWith(t => Console.Error.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
    }

    public Task ArchiveReturned(int orderId)
        => _archive.ArchiveAsync(orderId).ContinueWith(_ => Interlocked.Increment(ref _archived));

    public int Archived => _archived;
}

public interface IOrderArchive
{
    Task ArchiveAsync(int orderId);
}
