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

    // ---- Dispatch loops (issue 29): work started per item read from a channel or a queue ----

    private const string Dispatch = AP2001DiscardedTaskTests.Usings + """
        using System.Collections.Concurrent;
        using System.Linq;
        using System.Threading.Channels;

        public sealed class Job { }

        """;

    [Fact]
    public Task Reports_TasksCollectedFromADispatchLoop_AndNeverAwaited()
        => Verify.VerifyAnalyzerAsync(Dispatch + """
            class Dispatcher
            {
                private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();
                private readonly ConcurrentQueue<Job> _queue = new();
                private readonly BlockingCollection<Job> _pending = new();

                private Task HandleAsync(Job job, CancellationToken ct) => Task.CompletedTask;

                public async Task ReadLoopAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    while (await _channel.Reader.WaitToReadAsync(ct))
                    {
                        var job = await _channel.Reader.ReadAsync(ct);
                        {|#0:running.Add(HandleAsync(job, ct))|};
                    }
                }

                public async Task TryReadLoopAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    while (await _channel.Reader.WaitToReadAsync(ct))
                    {
                        while (_channel.Reader.TryRead(out var job))
                            {|#1:running.Add(HandleAsync(job, ct))|};
                    }
                }

                public async Task ReadAllAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                    {
                        // Pruning finished tasks drops the failed ones too, unobserved.
                        running.RemoveAll(task => task.IsCompleted);
                        {|#2:running.Add(HandleAsync(job, ct))|};
                    }
                }

                public void DrainQueue(CancellationToken ct)
                {
                    var running = new List<Task>();
                    while (_queue.TryDequeue(out var job))
                        {|#3:running.Add(Task.Run(() => HandleAsync(job, ct), ct))|};
                }

                public void Consume(CancellationToken ct)
                {
                    var running = new List<Task>();
                    foreach (var job in _pending.GetConsumingEnumerable(ct))
                        {|#4:running.Add(HandleAsync(job, ct))|};
                }
            }
            """,
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(0).WithMessage("Tasks collected in 'running' are never awaited in async method 'ReadLoopAsync': the work is left running and its exceptions are lost; add 'await Task.WhenAll(running)'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(1).WithArguments("running", "async method 'TryReadLoopAsync'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(2).WithArguments("running", "async method 'ReadAllAsync'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(3).WithArguments("running", "method 'DrainQueue'"),
            CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(4).WithArguments("running", "method 'Consume'"));

    [Fact]
    public Task Reports_AFieldTheDispatchLoopFills_WhenNoCodeOfTheTypeObservesIt()
        => new Verify.Test
        {
            TestCode = Dispatch + """
                class Worker
                {
                    private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();
                    private readonly List<Task> _inFlight = new();
                    private readonly HashSet<Task> _tracked = new HashSet<Task>();

                    private Task HandleAsync(Job job) => Task.CompletedTask;

                    public async Task RunAsync(CancellationToken ct)
                    {
                        await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        {
                            lock (_inFlight)
                                {|#0:_inFlight.Add(HandleAsync(job))|};
                        }
                    }

                    public async Task TrackAsync(CancellationToken ct)
                    {
                        while (await _channel.Reader.WaitToReadAsync(ct))
                        {
                            var job = await _channel.Reader.ReadAsync(ct);
                            var task = HandleAsync(job);
                            {|#1:_tracked.Add(task)|};
                            _ = task.ContinueWith(done => { lock (_tracked) _tracked.Remove(done); }, TaskScheduler.Default);
                        }
                    }

                    public int Pending => _inFlight.Count;
                }
                """,
            ExpectedDiagnostics =
            {
                CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(0).WithMessage("Tasks collected in '_inFlight' are never awaited in async method 'RunAsync' nor anywhere else in type 'Worker': the work is left running and its exceptions are lost; add 'await Task.WhenAll(_inFlight)'"),
                CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(1).WithArguments("_tracked", "async method 'TrackAsync' nor anywhere else in type 'Worker'"),
            },
            // A field outlives the loop: where its tasks belong awaited (after the loop, in StopAsync, in Dispose) is the type's design.
            ExpectNoFix = true,
        }.RunAsync();

    /// <summary>
    /// The dispatch loops that observe their tasks: awaited after the loop, pruned with WhenAny, a field that
    /// StopAsync awaits, a field shared with whoever passed it in, a collection returned, a pruning predicate that
    /// reads the failure, a field that is not private, tasks whose own continuation reads their failure.
    /// </summary>
    [Fact]
    public Task NoDiagnostic_DispatchLoopsWhoseTasksAreObserved()
        => Verify.VerifyAnalyzerAsync(Dispatch + """
            class Dispatcher
            {
                private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();
                private readonly List<Task> _inFlight = new();
                private readonly List<Task> _shared;
                public readonly List<Task> Visible = new();

                public Dispatcher(List<Task> shared) => _shared = shared;

                private Task HandleAsync(Job job) => Task.CompletedTask;

                public async Task AwaitsAfterTheLoopAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        running.Add(HandleAsync(job));
                    await Task.WhenAll(running);
                }

                public async Task BoundedWithWhenAnyAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                    {
                        running.Add(HandleAsync(job));
                        if (running.Count >= 4)
                            running.Remove(await Task.WhenAny(running));
                    }
                }

                public async Task FieldAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        _inFlight.Add(HandleAsync(job));
                }

                public Task StopAsync() => Task.WhenAll(_inFlight);

                // Each task's own continuation reads its failure (unlike '_tracked' above, whose continuation only removes it).
                private readonly HashSet<Task> _watched = new HashSet<Task>();

                public async Task WatchAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                    {
                        var task = HandleAsync(job);
                        lock (_watched)
                            _watched.Add(task);
                        _ = task.ContinueWith(done =>
                        {
                            lock (_watched)
                                _watched.Remove(done);
                            if (done.IsFaulted)
                                Console.WriteLine(done.Exception);
                        }, TaskScheduler.Default);
                    }
                }

                public async Task SharedAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        _shared.Add(HandleAsync(job));
                }

                public async Task VisibleAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        Visible.Add(HandleAsync(job));
                }

                public List<Task> StartAll(ConcurrentQueue<Job> queue)
                {
                    var running = new List<Task>();
                    while (queue.TryDequeue(out var job))
                        running.Add(HandleAsync(job));
                    return running;
                }

                public async Task PrunesAndLogsFailuresAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                    {
                        running.RemoveAll(task => task.IsCompleted && Log(task.Exception));
                        running.Add(HandleAsync(job));
                    }
                }

                private static bool Log(Exception? failure) => true;

                private readonly List<Task> _seenByANestedType = new();

                public async Task NestedAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        _seenByANestedType.Add(HandleAsync(job));
                }

                private sealed class Drainer
                {
                    public Task DrainAsync(Dispatcher owner) => Task.WhenAll(owner._seenByANestedType);
                }
            }
            """);

    [Fact]
    public Task Fix_AwaitsWhenAllAfterTheDispatchLoop_KeepingConfigureAwait()
        => Verify.VerifyCodeFixAsync(Dispatch + """
            class Dispatcher
            {
                private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();

                private Task HandleAsync(Job job) => Task.CompletedTask;

                public async Task ReadAllAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                    {
                        running.RemoveAll(task => task.IsCompleted);
                        [|running.Add(HandleAsync(job))|];
                    }
                    Console.WriteLine("drained");
                }

                public async Task ReadLoopAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    while (await _channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                    {
                        while (_channel.Reader.TryRead(out var job))
                            [|running.Add(HandleAsync(job))|];
                    }
                }
            }
            """, Dispatch + """
            class Dispatcher
            {
                private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();

                private Task HandleAsync(Job job) => Task.CompletedTask;

                public async Task ReadAllAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                    {
                        running.RemoveAll(task => task.IsCompleted);
                        running.Add(HandleAsync(job));
                    }
                    await Task.WhenAll(running).ConfigureAwait(false);
                    Console.WriteLine("drained");
                }

                public async Task ReadLoopAsync(CancellationToken ct)
                {
                    var running = new List<Task>();
                    while (await _channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                    {
                        while (_channel.Reader.TryRead(out var job))
                            running.Add(HandleAsync(job));
                    }
                    await Task.WhenAll(running).ConfigureAwait(false);
                }
            }
            """);

    [Fact]
    public Task Reports_ADictionaryOfTasksFilledInADispatchLoop_AndFixesItWithItsValues()
        => new Verify.Test
        {
            TestCode = Dispatch + """
            class Dispatcher
            {
                private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();
                private readonly ConcurrentDictionary<Guid, Task> _inFlight = new();
                private readonly Dictionary<string, Task<int>> _cache = new();

                private Task<int> HandleAsync(Job job) => Task.FromResult(0);

                public async Task ByKeyAsync(CancellationToken ct)
                {
                    var inFlight = new Dictionary<Guid, Task<int>>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        {|#0:inFlight[Guid.NewGuid()] = HandleAsync(job)|};
                }

                public async Task TrackedAsync(CancellationToken ct)
                {
                    var inFlight = new ConcurrentDictionary<Guid, Task<int>>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                    {
                        var id = Guid.NewGuid();
                        var task = HandleAsync(job);
                        {|#1:inFlight.TryAdd(id, task)|};
                        _ = task.ContinueWith(_ => inFlight.TryRemove(id, out Task<int>? _), TaskScheduler.Default);
                    }
                }

                public async Task FieldAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        {|#2:_inFlight[Guid.NewGuid()] = HandleAsync(job)|};
                }

                // A cache of tasks that is read back: observed.
                public async Task PrefetchAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        _cache[job.ToString()!] = HandleAsync(job);
                }

                public Task<int>? Cached(string key) => _cache.TryGetValue(key, out var task) ? task : null;
            }
            """,
            FixedCode = Dispatch + """
            class Dispatcher
            {
                private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();
                private readonly ConcurrentDictionary<Guid, Task> _inFlight = new();
                private readonly Dictionary<string, Task<int>> _cache = new();

                private Task<int> HandleAsync(Job job) => Task.FromResult(0);

                public async Task ByKeyAsync(CancellationToken ct)
                {
                    var inFlight = new Dictionary<Guid, Task<int>>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        inFlight[Guid.NewGuid()] = HandleAsync(job);
                    await Task.WhenAll(inFlight.Values);
                }

                public async Task TrackedAsync(CancellationToken ct)
                {
                    var inFlight = new ConcurrentDictionary<Guid, Task<int>>();
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                    {
                        var id = Guid.NewGuid();
                        var task = HandleAsync(job);
                        inFlight.TryAdd(id, task);
                        _ = task.ContinueWith(_ => inFlight.TryRemove(id, out Task<int>? _), TaskScheduler.Default);
                    }
                    await Task.WhenAll(inFlight.Values);
                }

                public async Task FieldAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        [|_inFlight[Guid.NewGuid()] = HandleAsync(job)|];
                }

                // A cache of tasks that is read back: observed.
                public async Task PrefetchAsync(CancellationToken ct)
                {
                    await foreach (var job in _channel.Reader.ReadAllAsync(ct))
                        _cache[job.ToString()!] = HandleAsync(job);
                }

                public Task<int>? Cached(string key) => _cache.TryGetValue(key, out var task) ? task : null;
            }
            """,
            ExpectedDiagnostics =
            {
                CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(0).WithMessage("Tasks collected in 'inFlight.Values' are never awaited in async method 'ByKeyAsync': the work is left running and its exceptions are lost; add 'await Task.WhenAll(inFlight.Values)'"),
                CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(1).WithArguments("inFlight.Values", "async method 'TrackedAsync'"),
                CSharpAnalyzerVerifier<UnobservedTaskCollectionAnalyzer>.Diagnostic().WithLocation(2).WithArguments("_inFlight.Values", "async method 'FieldAsync' nor anywhere else in type 'Dispatcher'"),
            },
        }.RunAsync();

    /// <summary>A dispatch loop that only an exception (the token's cancellation) ends: code after it never runs, so no fix.</summary>
    [Fact]
    public Task NoFix_WhenOnlyAnExceptionEndsTheDispatchLoop()
        => new Verify.Test
        {
            TestCode = Dispatch + """
                class Dispatcher
                {
                    private readonly Channel<Job> _channel = Channel.CreateUnbounded<Job>();

                    private Task HandleAsync(Job job) => Task.CompletedTask;

                    public async Task RunAsync(CancellationToken ct)
                    {
                        var running = new List<Task>();
                        while (true)
                        {
                            var job = await _channel.Reader.ReadAsync(ct);
                            [|running.Add(HandleAsync(job))|];
                        }
                    }
                }
                """,
            ExpectNoFix = true,
        }.RunAsync();

    [Theory]
    [InlineData("List<Task> _running = new(); async Task M(Channel<Job> c) { await foreach (var j in c.Reader.ReadAllAsync()) _running.Add( }")]
    [InlineData("List<Task> _running = new(); void M(ConcurrentQueue<Job> q) { while (q.TryDequeue(out var j)) _running.Add(Missing(j)); }")]
    [InlineData("List<Task> _running; void M(ConcurrentQueue<Job> q) { var t = new List<Task>(); while (q.TryDequeue(out var j)) { t.RemoveAll(x => x.); t.Add(Task.Run(() => j)); } }")]
    public Task NoCrash_OnHalfTypedDispatchLoops(string members)
        => Verify.VerifyNoCrashAsync(Dispatch + "class C { " + members + " }");

    [Theory]
    [InlineData("void M() { var t = new List<Task>(); foreach (var x in Missing) t.Add(x.Run()); }")]
    [InlineData("void M() { var t = new List<Task>(); for (;;) t.Add( }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Prelude + "class C { " + member + " }");

    // ---- Code fix ----

    [Fact]
    public Task NoFix_ForACollectionOfValueTasks_WhichTaskWhenAllCannotTake()
        => new Verify.Test
        {
            TestCode = Prelude + """
                class Service
                {
                    private ValueTask SendAsync(int item) => default;

                    public async Task SendAllAsync(int[] items)
                    {
                        var sends = new List<ValueTask>();
                        foreach (var item in items)
                            [|sends.Add(SendAsync(item))|];
                        Console.WriteLine(sends.Count);
                        await Task.Yield();
                    }
                }
                """,
            ExpectNoFix = true,
        }.RunAsync();

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
