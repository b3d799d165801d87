using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpAnalyzerVerifier<AsyncPitfalls.Rules.ThreadAffineLockAcrossAwaitAnalyzer>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP3005ThreadAffineLockAcrossAwaitTests
{
    private const string Usings = AP3001LockOrderInversionTests.Usings;

    [Fact]
    public Task Reports_FirstAwaitUnderMonitorMutexAndReaderWriterLock()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly object _sync = new();
                private readonly Mutex _file = new();
                private readonly ReaderWriterLockSlim _index = new();

                public async Task SaveAsync(Func<Task> write)
                {
                    Monitor.Enter(_sync);
                    try
                    {
                        {|#0:await write()|};
                        await write();
                    }
                    finally
                    {
                        Monitor.Exit(_sync);
                    }
                }

                public async Task WriteFileAsync(Func<Task> write)
                {
                    _file.WaitOne();
                    {|#1:await write()|};
                    _file.ReleaseMutex();
                }

                public async Task ReindexAsync(Func<Task> write)
                {
                    _index.EnterWriteLock();
                    try { {|#2:await write()|}; }
                    finally { _index.ExitWriteLock(); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'await' while holding '_sync' (Monitor): the code after it may resume on another thread, which does not own the lock; use 'SemaphoreSlim.WaitAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_file'", "Mutex"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'_index'", "ReaderWriterLockSlim"));

    [Fact]
    public Task NoDiagnostic_SemaphoreSlim_AwaitsAfterRelease_AndLambdas()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly object _sync = new();

                public async Task SaveAsync(Func<Task> write)
                {
                    await _gate.WaitAsync();
                    try { await write(); }
                    finally { _gate.Release(); }

                    Monitor.Enter(_sync);
                    Monitor.Exit(_sync);
                    await write();

                    lock (_sync)
                    {
                        Func<Task> later = async () => await write();
                    }
                }
            }
            """);

    [Fact]
    public Task Reports_EachLockOnce_WhenOneBodyTakesTwo()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly object _sync = new();
                private readonly Mutex _file = new();

                public async Task SaveAsync(Func<Task> write)
                {
                    Monitor.Enter(_sync);
                    _file.WaitOne();
                    {|#0:await write()|};
                    await write();
                    _file.ReleaseMutex();
                    Monitor.Exit(_sync);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_file'", "Mutex"),
            Verify.Diagnostic().WithLocation(0).WithArguments("'_sync'", "Monitor"));

    [Fact]
    public Task Reports_InsideAnAsyncLambdaOrLocalFunctionThatTakesTheLock()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly object _sync = new();

                public Func<Task> Start(Func<Task> write)
                {
                    Func<Task> job = async () =>
                    {
                        Monitor.Enter(_sync);
                        {|#0:await write()|};
                        Monitor.Exit(_sync);
                    };
                    return job;

                    async Task Local()
                    {
                        Monitor.Enter(_sync);
                        {|#1:await write()|};
                        Monitor.Exit(_sync);
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_sync'", "Monitor"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_sync'", "Monitor"));

    [Fact]
    public Task NoDiagnostic_LockTakenOutsideTheLambdaThatAwaits()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly object _sync = new();

                public Func<Task> Start(Func<Task> write)
                {
                    Monitor.Enter(_sync);
                    try
                    {
                        // Runs later, on whatever thread; the lock taken here is not held by it.
                        return async () => await write();
                    }
                    finally
                    {
                        Monitor.Exit(_sync);
                    }
                }
            }
            """);

#if !ROSLYN_FLOOR // System.Threading.Lock is .NET 9; the floor's tests compile against .NET 8.
    [Fact]
    public Task Reports_ThreadingLockScopeAndSuccessfulTryEnter()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly Lock _lock = new();
                private readonly object _sync = new();

                public async Task SaveAsync(Func<Task> write)
                {
                    using (_lock.EnterScope())
                    {
                        {|#0:await write()|};
                    }
                }

                public async Task TrySaveAsync(Func<Task> write)
                {
                    if (Monitor.TryEnter(_sync))
                    {
                        try { {|#1:await write()|}; }
                        finally { Monitor.Exit(_sync); }
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'_lock'", "System.Threading.Lock"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_sync'", "Monitor"));
#endif

    [Fact]
    public Task NoCrash_OnHalfTypedCode()
        => Verify.VerifyNoCrashAsync(Usings + """
            class Broken
            {
                private readonly object _sync = new();
                public async Task M(Func<Task> f) { Monitor.Enter(_sync); await f(; Monitor.Exit( }
                public async Task N() { Monitor.Enter(; await }
            }
            """);
}
