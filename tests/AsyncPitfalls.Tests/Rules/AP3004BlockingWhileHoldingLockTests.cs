using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpAnalyzerVerifier<AsyncPitfalls.Rules.BlockingWhileHoldingLockAnalyzer>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP3004BlockingWhileHoldingLockTests
{
    private const string Usings = AP3001LockOrderInversionTests.Usings;

    [Fact]
    public Task Reports_WaitsAndSleeps_UnderEveryKindOfLock()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Cache
            {
                private readonly object _sync = new();
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly ReaderWriterLockSlim _index = new();

                public string Get(Task<string> load, Task flush)
                {
                    lock (_sync)
                    {
                        {|#0:flush.Wait()|};
                        return {|#1:load.Result|};
                    }
                }

                public async Task RefreshAsync(Task<int> count)
                {
                    await _gate.WaitAsync();
                    try
                    {
                        {|#2:Thread.Sleep(100)|};
                        Console.WriteLine({|#3:count.GetAwaiter().GetResult()|});
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public void Rebuild(Task[] parts)
                {
                    _index.EnterWriteLock();
                    {|#4:Task.WaitAll(parts)|};
                    _index.ExitWriteLock();
                    Task.WaitAll(parts);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'.Wait()' on 'flush' blocks while holding '_sync'; every thread that needs the lock waits too"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'.Result' on 'load'", "'_sync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("'Thread.Sleep'", "'_gate'"),
            Verify.Diagnostic().WithLocation(3).WithArguments("'.GetAwaiter().GetResult()' on 'count'", "'_gate'"),
            Verify.Diagnostic().WithLocation(4).WithArguments("'Task.WaitAll'", "'_index'"));

    [Fact]
    public Task NoDiagnostic_OutsideLocks_KnownCompleteTasks_DeferredLambdasAndSleepZero()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Cache
            {
                private readonly object _sync = new();

                public async Task<string> GetAsync(Task<string> load)
                {
                    await load;
                    lock (_sync)
                    {
                        Thread.Sleep(0);
                        Task.Run(() => Thread.Sleep(100));
                        var ready = Task.FromResult(1).Result;
                        return load.Result;
                    }
                }

                public string Outside(Task<string> load) => load.Result;
            }
            """);

    [Fact]
    public Task NoCrash_OnHalfTypedCode()
        => Verify.VerifyNoCrashAsync(Usings + """
            class Broken
            {
                private readonly object _sync = new();
                public void M(Task t) { lock (_sync) { t.Wait(; Thread.Sleep( } }
                public void N() { lock ( { Task.WaitAll(); }
            }
            """);
}
