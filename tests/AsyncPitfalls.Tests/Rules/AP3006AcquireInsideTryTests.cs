using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.AcquireInsideTryAnalyzer, AsyncPitfalls.Rules.AcquireInsideTryCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP3006AcquireInsideTryTests
{
    private const string Usings = AP3001LockOrderInversionTests.Usings;

    [Fact]
    public Task Reports_AcquisitionInsideTheTryThatReleases()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly Mutex _file = new();

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    try
                    {
                        await {|#0:_gate.WaitAsync(ct)|};
                        await write();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public void Write()
                {
                    try
                    {
                        Console.WriteLine();
                        {|#1:_file.WaitOne()|};
                    }
                    catch (AbandonedMutexException) { }
                    finally { _file.ReleaseMutex(); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'_gate' is acquired inside the try whose finally releases it: if the acquisition throws or is cancelled, the finally releases what was never taken; acquire it before the try"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_file'"));

    [Fact]
    public Task WaitsThatCannotGiveUpAreQuiet_FirstInTheTry_TheSameWithATokenOrAfterOtherCodeIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Processor
            {
                private readonly SemaphoreSlim _startStop = new(1, 1);

                // Azure Service Bus: a wait with no token or timeout only ever returns holding the semaphore.
                public void EnsureNotRunning(Action action)
                {
                    try
                    {
                        _startStop.Wait();
                        action();
                    }
                    finally
                    {
                        _startStop.Release();
                    }
                }

                // The twins: a cancellable wait, and a plain wait after code that can throw first.
                public async Task StopAsync(CancellationToken ct)
                {
                    try
                    {
                        await {|#0:_startStop.WaitAsync(ct)|};
                    }
                    finally
                    {
                        _startStop.Release();
                    }
                }

                public void Restart(Action stop)
                {
                    try
                    {
                        stop();
                        {|#1:_startStop.Wait()|};
                    }
                    finally
                    {
                        _startStop.Release();
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_startStop'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_startStop'"));

    [Fact]
    public Task NoDiagnostic_AcquireBeforeTry_FlagPattern_AndOtherLocks()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _other = new(1, 1);
                private readonly object _sync = new();

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try { await write(); }
                    finally { _gate.Release(); }

                    var acquired = false;
                    try
                    {
                        await _gate.WaitAsync(ct);
                        acquired = true;
                        await write();
                    }
                    finally
                    {
                        if (acquired) _gate.Release();
                    }

                    var taken = false;
                    try
                    {
                        Monitor.Enter(_sync, ref taken);
                    }
                    finally
                    {
                        if (taken) Monitor.Exit(_sync);
                    }

                    try { await _other.WaitAsync(ct); }
                    finally { _gate.Release(); }
                }
            }
            """);

    [Fact]
    public Task Fix_MovesTheAcquisitionBeforeTheTry_FixAllInOneMethod()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _other = new(1, 1);

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    try
                    {
                        await [|_gate.WaitAsync(ct)|];
                        await write();
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    try
                    {
                        await [|_other.WaitAsync(ct)|];
                        await write();
                    }
                    finally
                    {
                        _other.Release();
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _other = new(1, 1);

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        await write();
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    await _other.WaitAsync(ct);
                    try
                    {
                        await write();
                    }
                    finally
                    {
                        _other.Release();
                    }
                }
            }
            """);

    [Fact]
    public Task NoFix_WhenACatchWouldChangeWhatItCatches()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Store
                    {
                        private readonly SemaphoreSlim _gate = new(1, 1);

                        public async Task SaveAsync(CancellationToken ct)
                        {
                            try { await [|_gate.WaitAsync(ct)|]; }
                            catch (OperationCanceledException) { throw; }
                            finally { _gate.Release(); }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    private const string TimedWaitMessage = "{0} is released in the finally of {1} even when '{2}' timed out and returned false: the release adds a slot nobody took (SemaphoreFullException, or one caller too many from then on); release it only when the wait returned true";

    // Issue 29: a SemaphoreSlim wait with a timeout returns false when it times out, holding nothing, and the finally
    // releases all the same: inside the try (dropped, kept, or checked there: the finally still runs), or before it with
    // the result dropped or kept in a local nothing reads.
    [Fact]
    public Task Reports_TimedWaitWhoseResultTheFinallyIgnores()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task DroppedBeforeAsync(Func<Task> work)
                {
                    await {|#0:_gate.WaitAsync(1000)|};
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                public async Task KeptBeforeAsync(Func<Task> work, CancellationToken ct)
                {
                    var acquired = await {|#1:_gate.WaitAsync(TimeSpan.FromSeconds(1), ct)|}.ConfigureAwait(false);
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                public void DroppedInside(Action work)
                {
                    try
                    {
                        {|#2:_gate.Wait(1000)|};
                        work();
                    }
                    finally { _gate.Release(); }
                }

                public async Task CheckedInsideAsync(Func<Task> work)
                {
                    try
                    {
                        if (!await {|#3:_gate.WaitAsync(1000)|})
                            throw new TimeoutException();
                        await work();
                    }
                    finally { _gate.Release(); }
                }

                public async Task KeptInsideAsync(Func<Task> work)
                {
                    try
                    {
                        var ok = await {|#4:_gate.WaitAsync(1000)|};
                        if (!ok) return;
                        await work();
                    }
                    finally { _gate.Release(); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'_gate' is released in the finally of 'DroppedBeforeAsync' even when 'WaitAsync' timed out and returned false: the release adds a slot nobody took (SemaphoreFullException, or one caller too many from then on); release it only when the wait returned true"),
            Verify.Diagnostic().WithLocation(1).WithMessageFormat(TimedWaitMessage).WithArguments("'_gate'", "'KeptBeforeAsync'", "WaitAsync"),
            Verify.Diagnostic().WithLocation(2).WithMessageFormat(TimedWaitMessage).WithArguments("'_gate'", "'DroppedInside'", "Wait"),
            Verify.Diagnostic().WithLocation(3).WithMessageFormat(TimedWaitMessage).WithArguments("'_gate'", "'CheckedInsideAsync'", "WaitAsync"),
            Verify.Diagnostic().WithLocation(4).WithMessageFormat(TimedWaitMessage).WithArguments("'_gate'", "'KeptInsideAsync'", "WaitAsync"));

    // The result decides whether the try runs (returned or thrown on before it, or the try in its if), the release is
    // guarded by it, a retry loop waits until it holds the slot, the wait has no timeout or an infinite one, or the semaphore is a signal.
    [Fact]
    public Task NoDiagnostic_TimedWaitsWhoseResultIsChecked()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _signal = new(0);

                public async Task ReturnBeforeAsync(Func<Task> work)
                {
                    if (!await _gate.WaitAsync(1000)) return;
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                public async Task ThrowBeforeAsync(Func<Task> work)
                {
                    var acquired = await _gate.WaitAsync(1000);
                    if (!acquired)
                        throw new TimeoutException();
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                public async Task TryInTheIfAsync(Func<Task> work)
                {
                    if (await _gate.WaitAsync(1000))
                    {
                        try { await work(); }
                        finally { _gate.Release(); }
                    }
                }

                public async Task GuardedAsync(Func<Task> work)
                {
                    var acquired = false;
                    try
                    {
                        acquired = await _gate.WaitAsync(1000);
                        await work();
                    }
                    finally
                    {
                        if (acquired) _gate.Release();
                    }
                }

                public async Task RetryAsync(Func<Task> work)
                {
                    while (!await _gate.WaitAsync(1000))
                        Console.WriteLine("still waiting");
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                public async Task NoTimeoutAsync(Func<Task> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                // A bool overload given an infinite timeout never returns false.
                public async Task InfiniteTimeoutAsync(Func<Task> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(Timeout.Infinite, ct);
                    try { await work(); }
                    finally { _gate.Release(); }
                }

                public void InfiniteTimeSpan(Action work)
                {
                    _gate.Wait(Timeout.InfiniteTimeSpan);
                    try { work(); }
                    finally { _gate.Release(); }
                }

                public void MinusOne(Action work)
                {
                    _gate.Wait(-1);
                    try { work(); }
                    finally { _gate.Release(); }
                }

                public async Task<bool> ConsumeAsync(Func<Task> handle)
                {
                    if (!await _signal.WaitAsync(1000))
                        return false;
                    await handle();
                    return true;
                }

                public void Produce(Action enqueue)
                {
                    try { enqueue(); }
                    finally { _signal.Release(); }
                }
            }
            """);

    [Fact]
    public Task Fix_KeepsTheResultAndGuardsTheRelease_BeforeTheTry()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task DroppedAsync(Func<Task> work, CancellationToken ct)
                {
                    await [|_gate.WaitAsync(TimeSpan.FromSeconds(1), ct)|].ConfigureAwait(false);
                    try
                    {
                        await work().ConfigureAwait(false);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public async Task KeptAsync(Func<Task> work)
                {
                    bool ok = await [|_gate.WaitAsync(1000)|].ConfigureAwait(false);
                    try
                    {
                        await work().ConfigureAwait(false);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task DroppedAsync(Func<Task> work, CancellationToken ct)
                {
                    var gateAcquired = await _gate.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                    try
                    {
                        await work().ConfigureAwait(false);
                    }
                    finally
                    {
                        if (gateAcquired) _gate.Release();
                    }
                }

                public async Task KeptAsync(Func<Task> work)
                {
                    bool ok = await _gate.WaitAsync(1000).ConfigureAwait(false);
                    try
                    {
                        await work().ConfigureAwait(false);
                    }
                    finally
                    {
                        if (ok) _gate.Release();
                    }
                }
            }
            """);

    [Fact]
    public Task Fix_DeclaresTheFlagBeforeTheTry_WhenTheWaitIsInside()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public void Dropped(Action work)
                {
                    try
                    {
                        [|_gate.Wait(1000)|];
                        work();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public async Task KeptAsync(Func<Task> work)
                {
                    try
                    {
                        var ok = await [|_gate.WaitAsync(1000)|];
                        if (!ok) return;
                        await work();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public async Task AssignedAsync(Func<Task> work)
                {
                    bool taken = false;
                    try
                    {
                        taken = await [|_gate.WaitAsync(1000)|];
                        await work();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public void Dropped(Action work)
                {
                    var gateAcquired = false;
                    try
                    {
                        gateAcquired = _gate.Wait(1000);
                        work();
                    }
                    finally
                    {
                        if (gateAcquired) _gate.Release();
                    }
                }

                public async Task KeptAsync(Func<Task> work)
                {
                    var ok = false;
                    try
                    {
                        ok = await _gate.WaitAsync(1000);
                        if (!ok) return;
                        await work();
                    }
                    finally
                    {
                        if (ok) _gate.Release();
                    }
                }

                public async Task AssignedAsync(Func<Task> work)
                {
                    bool taken = false;
                    try
                    {
                        taken = await _gate.WaitAsync(1000);
                        await work();
                    }
                    finally
                    {
                        if (taken) _gate.Release();
                    }
                }
            }
            """);

    // C# 7.3 (netstandard2.0, .NET Framework): the fixed code is the same there; the framework compiles it at 7.3.
    [Fact]
    public Task Fix_BelowCSharp8_KeepsTheResultTheSameWay()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);

                public async Task RunAsync(Func<Task> work)
                {
                    await [|_gate.WaitAsync(1000)|];
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public void Run(Action work)
                {
                    try
                    {
                        [|_gate.Wait(1000)|];
                        work();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);

                public async Task RunAsync(Func<Task> work)
                {
                    var gateAcquired = await _gate.WaitAsync(1000);
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        if (gateAcquired) _gate.Release();
                    }
                }

                public void Run(Action work)
                {
                    var gateAcquired = false;
                    try
                    {
                        gateAcquired = _gate.Wait(1000);
                        work();
                    }
                    finally
                    {
                        if (gateAcquired) _gate.Release();
                    }
                }
            }
            """);

    // Two dropped waits in one block: each flag is named after its semaphore, whichever Fix All starts from.
    [Fact]
    public Task FixAll_NamesEachFlagAfterItsSemaphore()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _other = new(1, 1);

                public void Run(Action work)
                {
                    [|_gate.Wait(1000)|];
                    try
                    {
                        work();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    [|_other.Wait(1000)|];
                    try
                    {
                        work();
                    }
                    finally
                    {
                        _other.Release();
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _other = new(1, 1);

                public void Run(Action work)
                {
                    var gateAcquired = _gate.Wait(1000);
                    try
                    {
                        work();
                    }
                    finally
                    {
                        if (gateAcquired) _gate.Release();
                    }
                    var otherAcquired = _other.Wait(1000);
                    try
                    {
                        work();
                    }
                    finally
                    {
                        if (otherAcquired) _other.Release();
                    }
                }
            }
            """);

    // The result is checked inside the try (no flag to keep without rewriting the check), the local's name is declared
    // again elsewhere in the method, or the local has no value before the try (the finally could not read it): no fix.
    [Fact]
    public Task NoFix_WhenTheResultCannotBeKeptAsIs()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Store
                    {
                        private readonly SemaphoreSlim _gate = new(1, 1);

                        public async Task CheckedAsync(Func<Task> work)
                        {
                            try
                            {
                                if (!await [|_gate.WaitAsync(1000)|])
                                    throw new TimeoutException();
                                await work();
                            }
                            finally { _gate.Release(); }
                        }

                        public async Task TwiceAsync(Func<Task> work, bool again)
                        {
                            try
                            {
                                var ok = await [|_gate.WaitAsync(1000)|];
                                await work();
                            }
                            finally { _gate.Release(); }
                            if (again)
                            {
                                var ok = 1;
                                Console.WriteLine(ok);
                            }
                        }

                        public async Task UnassignedAsync(Func<Task> work)
                        {
                            bool taken;
                            try
                            {
                                taken = await [|_gate.WaitAsync(1000)|];
                                await work();
                            }
                            finally { _gate.Release(); }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoCrash_OnHalfTypedTimedWaits()
        => Verify.VerifyNoCrashAsync(Usings + """
            class Broken
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                public async Task M() { var ok = await _gate.WaitAsync(100; try { } finally { _gate.Release(); } }
                public void N() { try { _gate.Wait(100) } finally { _gate.Release() } }
                public void O() { _gate.Wait(100); try { } finally { _gate.Release(; } }
            }
            """);

    [Fact]
    public Task NoCrash_OnHalfTypedCode()
        => Verify.VerifyNoCrashAsync(Usings + """
            class Broken
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                public async Task M() { try { await _gate.WaitAsync(; } finally { _gate.Release( } }
                public void N() { try { _gate.Wait() } finally { } }
            }
            """);
}
