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
