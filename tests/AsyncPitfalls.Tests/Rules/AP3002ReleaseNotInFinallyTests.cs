using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.ReleaseNotInFinallyAnalyzer, AsyncPitfalls.Rules.ReleaseNotInFinallyCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP3002ReleaseNotInFinallyTests
{
    private const string Usings = AP3001LockOrderInversionTests.Usings;

    [Fact]
    public Task Reports_EveryPrimitiveReleasedByAPlainStatement()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly object _sync = new();
                private readonly Mutex _file = new();
                private readonly ReaderWriterLockSlim _index = new();

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await {|#0:_gate.WaitAsync(ct)|};
                    await write();
                    _gate.Release();
                }

                public void Update(SemaphoreSlim local)
                {
                    {|#1:Monitor.Enter(_sync)|};
                    Console.WriteLine();
                    Monitor.Exit(_sync);

                    {|#2:_file.WaitOne()|};
                    Console.WriteLine();
                    _file.ReleaseMutex();

                    {|#3:_index.EnterWriteLock()|};
                    Console.WriteLine();
                    _index.ExitWriteLock();

                    {|#4:local.Wait()|};
                    Console.WriteLine();
                    local.Release();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'_gate' is released at line 16 outside a finally: if the code in between throws, it stays held and later callers wait forever"),
            Verify.Diagnostic().WithLocation(1).WithArguments("'_sync'", 23),
            Verify.Diagnostic().WithLocation(2).WithArguments("'_file'", 27),
            Verify.Diagnostic().WithLocation(3).WithArguments("'_index'", 31),
            Verify.Diagnostic().WithLocation(4).WithArguments("'local'", 35));

    [Fact]
    public Task NoDiagnostic_TryFinally_NothingInBetween_OtherLock_AndLockUnlockMethods()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _other = new(1, 1);

                public async Task SaveAsync(Func<Task> write)
                {
                    await _gate.WaitAsync();
                    try { await write(); }
                    finally { _gate.Release(); }

                    _gate.Wait();
                    _gate.Release();

                    _gate.Wait();
                    Console.WriteLine();
                    _other.Release();
                }

                public void Lock() => _gate.Wait();
                public void Unlock() => _gate.Release();
            }
            """);

    [Fact]
    public Task Fix_WrapsTheCodeInBetweenInTryFinally()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private int _count;

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await [|_gate.WaitAsync(ct)|];
                    await write();
                    _count++;
                    _gate.Release();
                    Console.WriteLine(_count);
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private int _count;

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        await write();
                        _count++;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    Console.WriteLine(_count);
                }
            }
            """);

    [Fact]
    public Task FixAll_WrapsEachPairInOneBlock()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Update()
                {
                    [|Monitor.Enter(_a)|];
                    Console.WriteLine("a");
                    Monitor.Exit(_a);
                    [|Monitor.Enter(_b)|];
                    Console.WriteLine("b");
                    Monitor.Exit(_b);
                }
            }
            """, Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Update()
                {
                    Monitor.Enter(_a);
                    try
                    {
                        Console.WriteLine("a");
                    }
                    finally
                    {
                        Monitor.Exit(_a);
                    }
                    Monitor.Enter(_b);
                    try
                    {
                        Console.WriteLine("b");
                    }
                    finally
                    {
                        Monitor.Exit(_b);
                    }
                }
            }
            """);

    [Fact]
    public Task FixAll_WrapsANestedPairInsideTheOuterOne()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Update(bool x)
                {
                    [|Monitor.Enter(_a)|];
                    Console.WriteLine("a");
                    if (x)
                    {
                        [|Monitor.Enter(_b)|];
                        Console.WriteLine("b");
                        Monitor.Exit(_b);
                    }
                    Monitor.Exit(_a);
                }
            }
            """, Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Update(bool x)
                {
                    Monitor.Enter(_a);
                    try
                    {
                        Console.WriteLine("a");
                        if (x)
                        {
                            Monitor.Enter(_b);
                            try
                            {
                                Console.WriteLine("b");
                            }
                            finally
                            {
                                Monitor.Exit(_b);
                            }
                        }
                    }
                    finally
                    {
                        Monitor.Exit(_a);
                    }
                }
            }
            """);

    [Fact]
    public Task FixAll_NestsTwoPairsOfOneBlock_OfEqualLength()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Update()
                {
                    [|Monitor.Enter(_a)|];
                    [|Monitor.Enter(_b)|];
                    Console.WriteLine("both");
                    Monitor.Exit(_b);
                    Monitor.Exit(_a);
                }
            }
            """, Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();

                public void Update()
                {
                    Monitor.Enter(_a);
                    try
                    {
                        Monitor.Enter(_b);
                        try
                        {
                            Console.WriteLine("both");
                        }
                        finally
                        {
                            Monitor.Exit(_b);
                        }
                    }
                    finally
                    {
                        Monitor.Exit(_a);
                    }
                }
            }
            """);

    [Fact]
    public Task NoFix_WhenALocalDeclaredInBetweenIsUsedAfterTheRelease()
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

                        public int Read()
                        {
                            [|_gate.Wait()|];
                            var value = 42;
                            _gate.Release();
                            return value;
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
                public void M() { _gate.Wait(; Console.WriteLine(); _gate.Release( }
                public void N() { Monitor.Enter(); Monitor.Exit(); }
            }
            """);
}
