using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace FixCorpus.Jobs;

/// <summary>A scheduled job with timeouts and parallel parts.</summary>
public sealed class ReportJob
{
    private readonly Func<CancellationToken, Task<string>> _build;
    private readonly SemaphoreSlim _single = new(1, 1);

    public ReportJob(Func<CancellationToken, Task<string>> build) => _build = build;

    public async Task<string> RunFirstOfAsync(Task<string> primary, Task<string> fallback)
    {
        // Which task wins decides the result: no mechanical rewrite. First in the file on purpose.
        var winner = await Task.WhenAny(primary, Task.Delay(1000)); // unfixable: AP5005
        return winner == primary ? await primary : await fallback;
    }

    public async Task<string> RunWithTimeoutAsync(CancellationToken cancellationToken)
    {
        var report = _build(cancellationToken);
        if (await Task.WhenAny(report, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken)) != report) // fixable: AP5005
            throw new TimeoutException("the report took too long");
        return await report;
    }

    public async Task RunPartsAsync(Task first, Task second)
    {
        Task.WaitAll(first, second); // fixable: AP1001
        await Task.Yield();
    }

    public async Task<string> ReadTemplateAsync(string path, CancellationToken cancellationToken)
    {
        _single.Wait(cancellationToken); // fixable: AP1003
        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadToEnd(); // fixable: AP1003
        }
        finally
        {
            _single.Release();
        }
    }

    public async Task<string> RunCorrectlyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return await _build(source.Token).WaitAsync(source.Token);
    }
}

/// <summary>Two locks taken in both orders: the minority order gets the swap.</summary>
internal sealed class Ledger
{
    private readonly object _accounts = new();
    private readonly object _audit = new();
    private decimal _balance;

    internal void Deposit(decimal amount)
    {
        lock (_accounts)
        {
            lock (_audit) // fixable: AP3001 (no fix here: it goes with the swap in Reconcile)
            {
                _balance += amount;
            }
        }
    }

    internal void Withdraw(decimal amount)
    {
        lock (_accounts)
        {
            lock (_audit) // fixable: AP3001 (no fix here: it goes with the swap in Reconcile)
            {
                _balance -= amount;
            }
        }
    }

    internal decimal Reconcile()
    {
        lock (_audit)
        {
            lock (_accounts) // fixable: AP3001
            {
                return _balance;
            }
        }
    }
}
