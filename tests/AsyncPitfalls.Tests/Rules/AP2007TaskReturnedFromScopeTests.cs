using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.TaskReturnedFromScopeAnalyzer, AsyncPitfalls.Rules.TaskReturnedFromScopeCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2007TaskReturnedFromScopeTests
{
    private const string Usings = AP2001DiscardedTaskTests.Usings + "using System.IO;\nusing System.Net.Http;\n";

    // The message's last part, checked by hand against the rule's page: await where it can stand, not under a thread's lock.
    private const string Await = "make the method async and 'return await' it";
    private const string LockAdvice = "no await can hold a thread's lock, so start the task outside it, or guard the work with a SemaphoreSlim and await it";

    [Fact]
    public Task Reports_ReturnsFromUsingTryAndLock()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                private readonly object _gate = new();

                public Task<string> GetAsync(string url)
                {
                    using var client = new HttpClient();
                    return {|#0:client.GetStringAsync(url)|};
                }

                public Task<string> ReadAsync(string path)
                {
                    using (var reader = new StreamReader(path))
                    {
                        return {|#1:reader.ReadToEndAsync()|};
                    }
                }

                public Task SaveAsync(Func<Task> save)
                {
                    try
                    {
                        return {|#2:save()|};
                    }
                    catch (IOException)
                    {
                        return Task.CompletedTask;
                    }
                }

                public Task FlushAsync(Func<Task> flush)
                {
                    lock (_gate)
                        return {|#3:flush()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("The task from 'HttpClient.GetStringAsync' is returned from inside 'using var client', which ends before the task does; make the method async and 'return await' it"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'StreamReader.ReadToEndAsync'", "'using (reader)'", Await),
            Verify.Diagnostic().WithLocation(2).WithArguments("'Func.Invoke'", "'try/catch'", Await),
            Verify.Diagnostic().WithLocation(3).WithArguments("'Func.Invoke'", "'lock'", LockAdvice));

    [Fact]
    public Task NoDiagnostic_TasksReadFromFieldsAndProperties_AsAsyncPrimitivesHandThemOut()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Signal
            {
                private readonly object _gate = new();
                private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
                private readonly Task<bool> _completed = Task.FromResult(true);
                private readonly Lazy<Task<int>> _value = new(() => Task.Run(() => 1));
                private bool _set;

                public Task<bool> WaitAsync()
                {
                    lock (_gate)
                    {
                        if (_set)
                            return _completed;
                        var waiter = new TaskCompletionSource<bool>();
                        _waiters.Enqueue(waiter);
                        return waiter.Task;
                    }
                }

                public ValueTask<bool> WaitValueAsync()
                {
                    lock (_gate)
                    {
                        var waiter = new TaskCompletionSource<bool>();
                        _waiters.Enqueue(waiter);
                        return new ValueTask<bool>(waiter.Task);
                    }
                }

                public Task<int> GetAsync()
                {
                    lock (_gate)
                        return _value.Value;
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_CatchesThatTurnTheExceptionIntoTheReturnedTask()
        => Verify.VerifyAnalyzerAsync(Usings + """
            readonly struct Outcome
            {
                public static ValueTask<Outcome> FromTask(Task task) => new(new Outcome());
                public static ValueTask<Outcome> FromException(Exception error) => new(new Outcome());
            }
            class Pipeline
            {
                // What throws before a task exists becomes a faulted task; the task's own exceptions reach the caller through it.
                public Task<int> RunAsync(Func<Task<int>> work)
                {
                    try
                    {
                        return work();
                    }
                    catch (Exception e)
                    {
                        return Task.FromException<int>(e);
                    }
                }

                public ValueTask<Outcome> ExecuteAsync(Func<Task> callback)
                {
                    try
                    {
                        return Outcome.FromTask(callback());
                    }
                    catch (InvalidOperationException invalid)
                    {
                        return Outcome.FromException(invalid);
                    }
                    catch (Exception error)
                    {
                        return Outcome.FromException(error);
                    }
                }
            }
            """);

    [Fact]
    public Task Reports_CatchesThatHandleTheExceptionThemselves_OrAFinally()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Pipeline
            {
                public Task<int> RunAsync(Func<Task<int>> work)
                {
                    try
                    {
                        return {|#0:work()|};
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                        return Task.FromResult(0);
                    }
                }

                public Task<int> TimedAsync(Func<Task<int>> work)
                {
                    try
                    {
                        return {|#1:work()|};
                    }
                    catch (Exception e)
                    {
                        return Task.FromException<int>(e);
                    }
                    finally
                    {
                        Console.WriteLine("done");
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'Func.Invoke'", "'try/catch'", Await),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Func.Invoke'", "'try/catch'", Await));

    [Fact]
    public Task Reports_TasksStartedInsideTheScope_EvenWhenWrapped()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Writer
            {
                private readonly object _gate = new();
                private readonly Stream _stream = Stream.Null;

                public ValueTask WriteAsync(byte[] data)
                {
                    lock (_gate)
                        return {|#0:new ValueTask(_stream.WriteAsync(data, 0, data.Length))|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("'new ValueTask'", "'lock'", LockAdvice));

    [Fact]
    public Task NoDiagnostic_OutsideScopes_AsyncMethods_CompletedTasks()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Client
            {
                private readonly HttpClient _http = new();

                public Task<string> GetAsync(string url) => _http.GetStringAsync(url);

                public Task<string> AfterUsingAsync(string path)
                {
                    string name;
                    using (var reader = new StreamReader(path))
                        name = reader.ReadLine() ?? "";
                    return _http.GetStringAsync(name);
                }

                public async Task<string> AwaitedAsync(string url)
                {
                    using var client = new HttpClient();
                    return await client.GetStringAsync(url);
                }

                public Task CachedAsync()
                {
                    try
                    {
                        return Task.CompletedTask;
                    }
                    finally
                    {
                        Console.WriteLine("done");
                    }
                }

                public Task<Func<Task>> Deferred(string url)
                {
                    using var client = new HttpClient();
                    return Task.FromResult<Func<Task>>(() => { using var other = new HttpClient(); return Task.CompletedTask; });
                }
            }
            """);

    [Fact]
    public Task Fix_MakesTheMethodAsync_AndAwaitsTheReturns()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Client
            {
                public Task<string> GetAsync(string url)
                {
                    using var client = new HttpClient();
                    return [|client.GetStringAsync(url)|];
                }

                public Task SaveAsync(Func<Task> save)
                {
                    try
                    {
                        return [|save()|];
                    }
                    catch (IOException)
                    {
                        return Task.CompletedTask;
                    }
                }
            }
            """, Usings + """
            class Client
            {
                public async Task<string> GetAsync(string url)
                {
                    using var client = new HttpClient();
                    return await client.GetStringAsync(url);
                }

                public async Task SaveAsync(Func<Task> save)
                {
                    try
                    {
                        await save();
                        return;
                    }
                    catch (IOException)
                    {
                        return;
                    }
                }
            }
            """);

    [Fact]
    public Task NoFix_InsideLock()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Client
                    {
                        private readonly object _gate = new();

                        public Task FlushAsync(Func<Task> flush)
                        {
                            lock (_gate)
                                return [|flush()|];
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task TryFinallyReleasingAThreadsLock_IsALock_WithoutFix_ASemaphoreIsNot()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Queue
            {
                private readonly object _queue = new();
                private readonly SemaphoreSlim _gate = new(1);

                public Task EnqueueAsync(Func<Task> work)
                {
                    var taken = false;
                    try
                    {
                        Monitor.TryEnter(_queue, 10, ref taken);
                        return {|#0:work()|};
                    }
                    finally
                    {
                        if (taken) Monitor.Exit(_queue);
                    }
                }

                public Task GuardedAsync(Func<Task> work)
                {
                    _gate.Wait();
                    try { return {|#1:work()|}; }
                    finally { _gate.Release(); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("The task from 'Func.Invoke' is returned from inside 'try/finally' that releases a lock, which ends before the task does; " + LockAdvice),
            Verify.Diagnostic().WithLocation(1).WithArguments("'Func.Invoke'", "'try/finally'", Await));

    [Fact]
    public Task NoFix_InsideTryFinallyReleasingAMonitor()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Queue
                    {
                        private readonly object _queue = new();

                        public Task EnqueueAsync(Func<Task> work)
                        {
                            Monitor.Enter(_queue);
                            try { return [|work()|]; }
                            finally { Monitor.Exit(_queue); }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();
}
