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

    // Issue 25: the value computed under the lock is used after the release. Its declaration moves before the
    // try (var written as the type it stands for, nullable as var is) and its initializer stays under the lock.
    [Fact]
    public Task Fix_DeclaresALocalUsedAfterTheReleaseBeforeTheTry()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly Dictionary<string, int> _counts = new();

                public int Read(string key)
                {
                    [|_gate.Wait()|];
                    var value = _counts[key];
                    int doubled = value * 2, spare;
                    _gate.Release();
                    return doubled;
                }

                public async Task<string> NameAsync(Func<Task<string>> load, CancellationToken ct)
                {
                    await [|_gate.WaitAsync(ct)|];
                    // loaded under the gate
                    var name = await load();
                    const int limit = 10;
                    _gate.Release();
                    Console.WriteLine(name);
                    return name.Length > limit ? name.Substring(0, limit) : name;
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly Dictionary<string, int> _counts = new();

                public int Read(string key)
                {
                    _gate.Wait();
                    int doubled, spare;
                    try
                    {
                        var value = _counts[key];
                        doubled = value * 2;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    return doubled;
                }

                public async Task<string> NameAsync(Func<Task<string>> load, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    string? name;
                    const int limit = 10;
                    try
                    {
                        // loaded under the gate
                        name = await load();
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    Console.WriteLine(name);
                    return name.Length > limit ? name.Substring(0, limit) : name;
                }
            }
            """);

    // The local of the first pair is used under the second lock and after it: Fix All keeps it in scope for both.
    [Fact]
    public Task FixAll_KeepsALocalInScopeAcrossTwoPairs()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();
                private readonly List<int> _items = new();
                private int _moved;

                public void Move()
                {
                    [|Monitor.Enter(_a)|];
                    var taken = _items.Count;
                    Monitor.Exit(_a);
                    [|Monitor.Enter(_b)|];
                    _moved += taken;
                    Monitor.Exit(_b);
                    Console.WriteLine(taken);
                }
            }
            """, Usings + """
            class Store
            {
                private readonly object _a = new();
                private readonly object _b = new();
                private readonly List<int> _items = new();
                private int _moved;

                public void Move()
                {
                    Monitor.Enter(_a);
                    int taken;
                    try
                    {
                        taken = _items.Count;
                    }
                    finally
                    {
                        Monitor.Exit(_a);
                    }
                    Monitor.Enter(_b);
                    try
                    {
                        _moved += taken;
                    }
                    finally
                    {
                        Monitor.Exit(_b);
                    }
                    Console.WriteLine(taken);
                }
            }
            """);

    // No declaration can stand apart from its value here (an anonymous type, a span, an array initializer, an out
    // variable), and a local function or a using declaration cannot move into the try without breaking the code or
    // disposing before the release: no fix.
    [Theory]
    [InlineData("var pair = new { Count = 1 };", "return pair.Count;")]
    [InlineData("ReadOnlySpan<char> span = text.AsSpan();", "return span.Length;")]
    [InlineData("int[] counts = { 1, 2 };", "return counts.Length;")]
    [InlineData("var found = _counts.TryGetValue(text, out var count);", "return found ? count : 0;")]
    [InlineData("int Twice(int v) => v * 2; Console.WriteLine(text);", "return Twice(1);")]
    [InlineData("using var reader = new System.IO.StringReader(text); Console.WriteLine(reader.Peek());", "return 0;")]
    public Task NoFix_WhenTheCodeInBetweenCannotMoveIntoTheTry(string inBetween, string after)
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + "class Store\n{\n    private readonly SemaphoreSlim _gate = new(1, 1);\n    private readonly Dictionary<string, int> _counts = new();\n\n"
                        + "    public int Read(string text)\n    {\n        [|_gate.Wait()|];\n        " + inBetween + "\n        _gate.Release();\n        " + after + "\n    }\n}\n",
                },
            },
        }.RunAsync();

    // Issue 29: the release is in the try that follows the acquisition, not in its finally. When the work throws, a catch
    // that does not release (it logs, or rethrows), no catch at all, or a typed catch lets the permit leak.
    [Fact]
    public Task Reports_ReleaseOnlyInsideTheTry()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await {|#0:_gate.WaitAsync(ct)|};
                    try
                    {
                        await write();
                        _gate.Release();
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                }

                public async Task<int> CountAsync(Func<Task<int>> count, CancellationToken ct)
                {
                    await {|#1:_gate.WaitAsync(ct)|};
                    try
                    {
                        var n = await count();
                        _gate.Release();
                        return n;
                    }
                    finally
                    {
                        Console.WriteLine("counted");
                    }
                }

                public async Task LoadAsync(Func<Task> load, CancellationToken ct)
                {
                    await {|#2:_gate.WaitAsync(ct)|};
                    try
                    {
                        await load();
                        _gate.Release();
                    }
                    catch (TimeoutException)
                    {
                        _gate.Release();
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'_gate' is not released in 'SaveAsync' when the code before its release at line 15 throws and the catch at line 17 does not release it: it stays held and later callers wait forever; release it in a finally"),
            Verify.Diagnostic().WithLocation(1).WithMessage("'_gate' is not released in 'CountAsync' when the code in the try before its release at line 29 throws: it stays held and later callers wait forever; release it in a finally"),
            Verify.Diagnostic().WithLocation(2).WithMessage("'_gate' is not released in 'LoadAsync' when the code before its release at line 44 throws an exception no catch handles: it stays held and later callers wait forever; release it in a finally"));

    // Issue 29: a release in a catch plus one after the try. Each path that skips both is reported: the code between the
    // try and the release, an exception the catch does not handle, the catch's own code before its release, a return.
    [Fact]
    public Task Reports_ReleaseInACatchAndAfterTheTry_WhenAPathSkipsBoth()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private int _last;

                public async Task SaveAsync(Func<Task<int>> write, CancellationToken ct)
                {
                    await {|#0:_gate.WaitAsync(ct)|};
                    int written;
                    try
                    {
                        written = await write();
                    }
                    catch
                    {
                        _gate.Release();
                        throw;
                    }
                    Console.WriteLine(written.ToString());
                    _gate.Release();
                }

                public async Task SendAsync(Func<Task> send, CancellationToken ct)
                {
                    await {|#1:_gate.WaitAsync(ct)|};
                    try
                    {
                        await send();
                    }
                    catch (OperationCanceledException)
                    {
                        _gate.Release();
                        throw;
                    }
                    _gate.Release();
                }

                public async Task LogAsync(Func<Task> send, CancellationToken ct)
                {
                    await {|#2:_gate.WaitAsync(ct)|};
                    try
                    {
                        await send();
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e.Message);
                        _gate.Release();
                        throw;
                    }
                    _gate.Release();
                }

                public async Task CachedAsync(Func<Task> send, bool cached, CancellationToken ct)
                {
                    await {|#3:_gate.WaitAsync(ct)|};
                    try
                    {
                        if (cached)
                            return;
                        await send();
                    }
                    catch
                    {
                        _gate.Release();
                        throw;
                    }
                    _last++;
                    _gate.Release();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'_gate' is not released in 'SaveAsync' when the code after the try throws before the release at line 24: it stays held and later callers wait forever; release it in a finally"),
            Verify.Diagnostic().WithLocation(1).WithMessage("'_gate' is not released in 'SendAsync' when the try throws an exception no catch handles, before the release at line 39: it stays held and later callers wait forever; release it in a finally"),
            Verify.Diagnostic().WithLocation(2).WithMessage("'_gate' is not released in 'LogAsync' when the code of the catch at line 49 throws before its release at line 52: it stays held and later callers wait forever; release it in a finally"),
            Verify.Diagnostic().WithLocation(3).WithMessage("'_gate' is not released in 'CachedAsync' when the try returns at line 64, before the release at line 73: it stays held and later callers wait forever; release it in a finally"));

    // Every path releases (a catch-all that releases first, then the release right after the try; a release first in the
    // try; a catch-all that releases in the catch too), or the release stands where the rule does not judge it (a finally,
    // a try around, nested in an if), or the semaphore is a signal (released here, waited for elsewhere), or a wrapper, or
    // a callback of the method releases it (a path hands the release on).
    [Fact]
    public Task NoDiagnostic_EveryPathReleases_SignalsAndWrappers()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly SemaphoreSlim _signal = new(0);
                private int _count;

                public async Task CatchAllThenAfterAsync(Func<Task> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        await work();
                    }
                    catch
                    {
                        _gate.Release();
                        throw;
                    }
                    _count++;
                    _gate.Release();
                }

                public async Task SwallowThenAfterAsync(Func<Task> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        await work();
                    }
                    catch (Exception)
                    {
                        _count = 0;
                    }
                    _gate.Release();
                }

                public async Task<int> BothInTryAndCatchAsync(Func<Task<int>> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        var n = await work();
                        _gate.Release();
                        return n;
                    }
                    catch
                    {
                        _gate.Release();
                        throw;
                    }
                }

                public async Task ReleaseFirstAsync(Func<Task> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        _gate.Release();
                        await work();
                    }
                    catch (TimeoutException)
                    {
                    }
                }

                public async Task InFinallyAsync(Func<Task> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        await work();
                    }
                    catch (TimeoutException)
                    {
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public async Task AroundAsync(Func<Task> work, CancellationToken ct)
                {
                    try
                    {
                        await _gate.WaitAsync(ct);
                        try
                        {
                            await work();
                            _gate.Release();
                        }
                        catch (TimeoutException)
                        {
                        }
                    }
                    catch
                    {
                        _gate.Release();
                        throw;
                    }
                }

                public async Task NestedAsync(Func<Task<bool>> work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        if (await work())
                            _gate.Release();
                    }
                    catch (TimeoutException)
                    {
                    }
                }

                // A signal: the producer releases, a consumer waits elsewhere.
                public async Task ProduceAsync(Func<Task> enqueue)
                {
                    try
                    {
                        await enqueue();
                        _signal.Release();
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                }

                public async Task<IDisposable> LockAsync(CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    return new Releaser(_gate);
                }

                // The early return hands the release to the continuation: moving it into a finally would release twice.
                public async Task HandOnAsync(Task? pending, Action work, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        if (pending is not null)
                        {
                            _ = pending.ContinueWith(_ => _gate.Release(), TaskScheduler.Default);
                            return;
                        }
                        work();
                        _gate.Release();
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                        throw;
                    }
                }

                private sealed class Releaser : IDisposable
                {
                    private readonly SemaphoreSlim _semaphore;
                    public Releaser(SemaphoreSlim semaphore) => _semaphore = semaphore;
                    public void Dispose() => _semaphore.Release();
                }
            }
            """);

    [Fact]
    public Task Fix_MovesTheReleaseIntoTheFinally_FixAllInOneClass()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await [|_gate.WaitAsync(ct)|];
                    try
                    {
                        await write();
                        _gate.Release();
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                }

                public async Task<int> CountAsync(Func<Task<int>> count, CancellationToken ct)
                {
                    await [|_gate.WaitAsync(ct)|];
                    try
                    {
                        var n = await count();
                        _gate.Release();
                        return n;
                    }
                    finally
                    {
                        Console.WriteLine("counted");
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task SaveAsync(Func<Task> write, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        await write();
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public async Task<int> CountAsync(Func<Task<int>> count, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        var n = await count();
                        return n;
                    }
                    finally
                    {
                        _gate.Release();
                        Console.WriteLine("counted");
                    }
                }
            }
            """);

    // C# 7.3 (netstandard2.0, .NET Framework): the fixed code is the same there; the framework compiles it at 7.3.
    [Fact]
    public Task Fix_BelowCSharp8_MovesTheReleaseTheSameWay()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);

                public async Task SaveAsync(Func<Task> write)
                {
                    await [|_gate.WaitAsync()|];
                    try
                    {
                        await write();
                        _gate.Release();
                    }
                    catch (TimeoutException)
                    {
                    }
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);

                public async Task SaveAsync(Func<Task> write)
                {
                    await _gate.WaitAsync();
                    try
                    {
                        await write();
                    }
                    catch (TimeoutException)
                    {
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """);

    // The release has work after it in the try (moving it would hold the lock longer), reads a local of the try (it would
    // not compile in the finally), a catch releases (moving would release twice), or the releases are in a catch and
    // after the try: no fix.
    [Fact]
    public Task NoFix_WhenTheReleaseCannotMoveUnchanged()
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

                        public async Task SaveAsync(Func<Task> write, Func<Task> notify, CancellationToken ct)
                        {
                            await [|_gate.WaitAsync(ct)|];
                            try
                            {
                                await write();
                                _gate.Release();
                                await notify();
                            }
                            catch (Exception e)
                            {
                                Console.WriteLine(e);
                            }
                        }

                        public async Task ReturnSlotsAsync(Func<Task<int>> take, CancellationToken ct)
                        {
                            await [|_gate.WaitAsync(ct)|];
                            try
                            {
                                var taken = await take();
                                _gate.Release(taken);
                            }
                            catch (TimeoutException e)
                            {
                                Console.WriteLine(e);
                            }
                        }

                        public async Task LoadAsync(Func<Task> load, CancellationToken ct)
                        {
                            await [|_gate.WaitAsync(ct)|];
                            try
                            {
                                await load();
                                _gate.Release();
                            }
                            catch (TimeoutException)
                            {
                                _gate.Release();
                            }
                        }

                        public async Task SendAsync(Func<Task> send, CancellationToken ct)
                        {
                            await [|_gate.WaitAsync(ct)|];
                            try
                            {
                                await send();
                            }
                            catch (OperationCanceledException)
                            {
                                _gate.Release();
                                throw;
                            }
                            _gate.Release();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoCrash_OnHalfTypedTries()
        => Verify.VerifyNoCrashAsync(Usings + """
            class Broken
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                public async Task M() { await _gate.WaitAsync(); try { await X(); _gate.Release( } catch { }
                public async Task N() { await _gate.WaitAsync(); try { } catch (Ex { _gate.Release(); throw } _gate.Release(); }
                public async Task O() { await _gate.WaitAsync(); try { return; } _gate.Release(); }
            }
            """);

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
