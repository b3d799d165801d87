using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.UnobservedTaskCollectionAnalyzer, AsyncPitfalls.Rules.UnobservedTaskCollectionCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2003UnobservedTaskCollectionTests
{
    private const string Prelude = AP2001DiscardedTaskTests.Usings + "using System.Linq;\n" + AP2001DiscardedTaskTests.Awaitables;

    [Fact]
    public Task Reports_AddInLoop_ElementAssignmentInLoop_MaterializedProjection()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                public async Task SaveAllAsync(IEnumerable<Store> stores)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                        {|#0:tasks.Add(store.SaveAsync())|};
                    Console.WriteLine(tasks.Count);
                    await Task.Yield();
                }

                public void CountAll(Store[] stores)
                {
                    var counts = new Task<int>[stores.Length];
                    for (var i = 0; i < stores.Length; i++)
                        {|#1:counts[i] = stores[i].CountAsync()|};
                }

                public void FlushAll(Store[] stores)
                {
                    var {|#2:flushes = stores.Select(s => s.SaveAsync()).ToList()|};
                }
            }
            """,
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(0).WithMessage("Tasks collected in 'tasks' are never awaited in async method 'SaveAllAsync': the work is left running and its exceptions are lost; add 'await Task.WhenAll(tasks)'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(1).WithArguments("counts", "method 'CountAll'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(2).WithArguments("flushes", "method 'FlushAll'"));

    [Fact]
    public Task NoDiagnostic_AwaitedPassedReturnedOrIterated()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                public async Task SaveAllAsync(IEnumerable<Store> stores)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                        tasks.Add(store.SaveAsync());
                    await Task.WhenAll(tasks);
                }

                public async Task<int> FirstAsync(Store[] stores)
                {
                    var tasks = new List<Task<int>>();
                    foreach (var store in stores)
                        tasks.Add(store.CountAsync());
                    return await await Task.WhenAny(tasks);
                }

                public List<Task> StartAll(Store[] stores)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                        tasks.Add(store.SaveAsync());
                    return tasks;
                }

                public async Task EachAsync(Store[] stores)
                {
                    var tasks = new List<Task>();
                    for (var i = 0; i < stores.Length; i++)
                        tasks.Add(stores[i].SaveAsync());
                    foreach (var task in tasks)
                        await task;
                }

                public void Register(Store[] stores, Action<IEnumerable<Task>> track)
                {
                    var tasks = stores.Select(s => s.SaveAsync()).ToArray();
                    track(tasks);
                }

                public void NotInALoop(Store store)
                {
                    var tasks = new List<Task>();
                    tasks.Add(store.SaveAsync());
                }

                public void NotTasks(Store[] stores)
                {
                    var names = new List<string>();
                    foreach (var store in stores)
                        names.Add(store.ToString()!);
                }
            }
            """);

    [Fact]
    public Task Reports_OnceAtTheFirstFill_WhenNoUseObserves()
        => Verify.VerifyAnalyzerAsync(Prelude + """
            class Service
            {
                public void TwoLoops(Store[] stores)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                        {|#0:tasks.Add(store.SaveAsync())|};
                    foreach (var store in stores)
                        tasks.Add(store.SaveAsync());
                    tasks.Clear();
                }

                public void ProjectionThenLoop(Store[] stores)
                {
                    var {|#1:tasks = stores.Select(s => s.SaveAsync()).ToList()|};
                    foreach (var store in stores)
                        tasks.Add(store.SaveAsync());
                }

                public void ObservedInALambda(Store[] stores, Action<Func<Task>> later)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                        tasks.Add(store.SaveAsync());
                    later(() => Task.WhenAll(tasks));
                }
            }
            """,
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(0).WithArguments("tasks", "method 'TwoLoops'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(1).WithArguments("tasks", "method 'ProjectionThenLoop'"));

    [Theory]
    [InlineData("void M() { var t = new List<Task>(); foreach (var x in Missing) t.Add(x.Run()); }")]
    [InlineData("void M() { var t = new List<Task>(); for (;;) t.Add( }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Prelude + "class C { " + member + " }");

    // ---- Code fix ----

    [Fact]
    public Task Fix_AwaitsWhenAllAfterTheLoop_OrAfterTheDeclaration()
        => Verify.VerifyCodeFixAsync(Prelude + """
            class Service
            {
                public async Task SaveAllAsync(IEnumerable<Store> stores)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                    {
                        Console.WriteLine(store);
                        [|tasks.Add(store.SaveAsync())|];
                    }
                    Console.WriteLine(tasks.Count);
                }

                public void CountAll(Store[] stores)
                {
                    var counts = new Task<int>[stores.Length];
                    for (var i = 0; i < stores.Length; i++)
                        [|counts[i] = stores[i].CountAsync()|];
                }

                public async Task FlushAllAsync(Store[] stores)
                {
                    var [|flushes = stores.Select(s => s.SaveAsync()).ToList()|];
                    Console.WriteLine("started");
                }
            }
            """, Prelude + """
            class Service
            {
                public async Task SaveAllAsync(IEnumerable<Store> stores)
                {
                    var tasks = new List<Task>();
                    foreach (var store in stores)
                    {
                        Console.WriteLine(store);
                        tasks.Add(store.SaveAsync());
                    }
                    await Task.WhenAll(tasks);
                    Console.WriteLine(tasks.Count);
                }

                public async Task CountAll(Store[] stores)
                {
                    var counts = new Task<int>[stores.Length];
                    for (var i = 0; i < stores.Length; i++)
                        counts[i] = stores[i].CountAsync();
                    await Task.WhenAll(counts);
                }

                public async Task FlushAllAsync(Store[] stores)
                {
                    var flushes = stores.Select(s => s.SaveAsync()).ToList();
                    await Task.WhenAll(flushes);
                    Console.WriteLine("started");
                }
            }
            """);
}
