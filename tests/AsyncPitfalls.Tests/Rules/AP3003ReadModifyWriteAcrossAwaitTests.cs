using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.ReadModifyWriteAcrossAwaitAnalyzer, AsyncPitfalls.Rules.ReadModifyWriteAcrossAwaitCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP3003ReadModifyWriteAcrossAwaitTests
{
    private const string Usings = AP3001LockOrderInversionTests.Usings;

    [Fact]
    public Task Reports_CompoundSimpleAndThroughALocal()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Counter
            {
                private int _count;
                private static long s_total;
                public int Hits { get; set; }

                public async Task AddAsync(Func<Task<int>> next)
                {
                    {|#0:_count += await next()|};
                    {|#1:s_total = s_total + await next()|};

                    var hits = Hits;
                    await Task.Delay(10);
                    {|#2:Hits = hits + 1|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'_count' is read before the await at line 13 and written after it in async method 'AddAsync': an update made by another caller during the await is lost"),
            Verify.Diagnostic().WithLocation(1).WithArguments("s_total", 14, "async method 'AddAsync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Hits", 17, "async method 'AddAsync'"));

    [Fact]
    public Task NoDiagnostic_LocalsUnderLocksAwaitFirstAndOtherObjects()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Counter
            {
                private readonly SemaphoreSlim _gate = new(1, 1);
                private int _count;

                public async Task AddAsync(Func<Task<int>> next, Counter other)
                {
                    var local = 0;
                    local += await next();

                    var delta = await next();
                    _count += delta;

                    await _gate.WaitAsync();
                    try
                    {
                        _count += await next();
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    _count = await next();
                    _count = await next() + _count;
                    other._count += await next();

                    var before = _count;
                    _count = before + 1;
                    await Task.Delay(1);
                }
            }
            """);

    [Fact]
    public Task Fix_AwaitsIntoALocalFirst_FixAllNamesEachLocal()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Counter
            {
                private int _count;
                private long _bytes;

                public async Task AddAsync(Func<Task<int>> next)
                {
                    [|_count += await next()|];
                    [|_bytes -= await next()|];
                }
            }
            """, Usings + """
            class Counter
            {
                private int _count;
                private long _bytes;

                public async Task AddAsync(Func<Task<int>> next)
                {
                    var countDelta = await next();
                    _count += countDelta;
                    var bytesDelta = await next();
                    _bytes -= bytesDelta;
                }
            }
            """);

    // Fix All gave two updates of one member in one block the same local: CS0128.
    [Fact]
    public Task FixAll_TwoUpdatesOfOneMemberGetTwoLocals()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Counter
            {
                private int _count;

                public async Task AddTwiceAsync(Func<Task<int>> next)
                {
                    [|_count += await next()|];
                    [|_count += await next()|];
                }
            }
            """, Usings + """
            class Counter
            {
                private int _count;

                public async Task AddTwiceAsync(Func<Task<int>> next)
                {
                    var countDelta = await next();
                    _count += countDelta;
                    var countDelta2 = await next();
                    _count += countDelta2;
                }
            }
            """);

    [Fact]
    public Task NoCrash_OnHalfTypedCode()
        => Verify.VerifyNoCrashAsync(Usings + """
            class Broken
            {
                private int _count;
                public async Task M() { _count += await ; var x = _count; await; _count = x + }
            }
            """);
}
