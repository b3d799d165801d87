using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Rules;

/// <summary>
/// Issue 25, defect 10: dotnet format and the IDE run Fix All with the equivalence key of the first action of the
/// first diagnostic (see <see cref="FormatFixAll"/>). In each source below the first diagnostic of the rule has
/// no fix (or only another kind of fix) and later ones are fixable: every fixable one must be fixed.
/// </summary>
public sealed class FixAllFromFirstDiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private static async Task AssertFixAllAsync<TAnalyzer, TCodeFix>(string source, string expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => Assert.Equal(expected.ReplaceLineEndings(), (await FormatFixAll.ApplyAsync(new TAnalyzer(), new TCodeFix(), source)).ReplaceLineEndings());

    [Fact]
    public Task AP1001_WaitWithATimeoutFirst()
        => AssertFixAllAsync<SyncWaitAnalyzer, SyncWaitCodeFix>(Usings + """
            class Worker
            {
                public async Task<bool> RunAsync(Task<int> a, Task<int> b)
                {
                    var done = a.Wait(100);
                    var value = b.Result;
                    await Task.Yield();
                    return done && value > 0;
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task<bool> RunAsync(Task<int> a, Task<int> b)
                {
                    var done = a.Wait(100);
                    var value = await b;
                    await Task.Yield();
                    return done && value > 0;
                }
            }
            """);

    [Fact]
    public Task AP1002_SleepInALockFirst()
        => AssertFixAllAsync<ThreadSleepAnalyzer, ThreadSleepCodeFix>(Usings + """
            class Counter
            {
                private readonly object _gate = new();

                public async Task IncrementAsync()
                {
                    await Task.Yield();
                    lock (_gate)
                    {
                        Thread.Sleep(10);
                    }
                    Thread.Sleep(20);
                }
            }
            """, Usings + """
            class Counter
            {
                private readonly object _gate = new();

                public async Task IncrementAsync()
                {
                    await Task.Yield();
                    lock (_gate)
                    {
                        Thread.Sleep(10);
                    }
                    await Task.Delay(20);
                }
            }
            """);

    [Fact]
    public Task AP1003_ConditionalAccessFirst()
        => AssertFixAllAsync<AsyncCounterpartAnalyzer, AsyncCounterpartCodeFix>(Usings + """
            class Service
            {
                public async Task RunAsync(Stream? maybe, Stream stream)
                {
                    maybe?.Flush();
                    stream.Flush();
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Service
            {
                public async Task RunAsync(Stream? maybe, Stream stream)
                {
                    maybe?.Flush();
                    await stream.FlushAsync();
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task AP2001_DiscardInAConstructorFirst_AwaitsTheRest_AndDiscardsWhereNoAwaitCanGo()
        => AssertFixAllAsync<DiscardedTaskAnalyzer, DiscardedTaskCodeFix>(Usings + """
            class Store { public Task SaveAsync() => Task.CompletedTask; }
            class Service
            {
                private readonly Store _store = new();

                public Service()
                {
                    _store.SaveAsync();
                }

                public void Save()
                {
                    _store.SaveAsync();
                }

                public Task SaveTwiceAsync()
                {
                    _store.SaveAsync();
                    return _store.SaveAsync();
                }
            }
            """, Usings + """
            class Store { public Task SaveAsync() => Task.CompletedTask; }
            class Service
            {
                private readonly Store _store = new();

                public Service()
                {
                    _ = _store.SaveAsync();
                }

                public async Task Save()
                {
                    await _store.SaveAsync();
                }

                public async Task SaveTwiceAsync()
                {
                    await _store.SaveAsync();
                    await _store.SaveAsync();
                }
            }
            """);

    [Fact]
    public Task AP2002_UnobservedLocalInALockFirst()
        => AssertFixAllAsync<UnobservedTaskLocalAnalyzer, UnobservedTaskLocalCodeFix>(Usings + """
            class Service
            {
                private readonly object _gate = new();

                public async Task RunAsync(Func<Task> save)
                {
                    lock (_gate)
                    {
                        var first = save();
                    }
                    var second = save();
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Service
            {
                private readonly object _gate = new();

                public async Task RunAsync(Func<Task> save)
                {
                    lock (_gate)
                    {
                        var first = save();
                    }
                    await save();
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task AP2003_CollectionFilledInALockFirst()
        => AssertFixAllAsync<UnobservedTaskCollectionAnalyzer, UnobservedTaskCollectionCodeFix>(Usings + """
            class Service
            {
                private readonly object _gate = new();

                public async Task RunAsync(Func<Task> save)
                {
                    lock (_gate)
                    {
                        var first = new List<Task>();
                        for (var i = 0; i < 2; i++)
                            first.Add(save());
                    }
                    var second = new List<Task>();
                    for (var i = 0; i < 2; i++)
                        second.Add(save());
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Service
            {
                private readonly object _gate = new();

                public async Task RunAsync(Func<Task> save)
                {
                    lock (_gate)
                    {
                        var first = new List<Task>();
                        for (var i = 0; i < 2; i++)
                            first.Add(save());
                    }
                    var second = new List<Task>();
                    for (var i = 0; i < 2; i++)
                        second.Add(save());
                    await Task.WhenAll(second);
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task AP2004_AsyncVoidUsedAsADelegateFirst()
        => AssertFixAllAsync<AsyncVoidAnalyzer, AsyncVoidCodeFix>(Usings + """
            class Worker
            {
                private async void Tick()
                {
                    await Task.Yield();
                }

                private async void Start()
                {
                    await Task.Yield();
                }

                public Action Ticker => Tick;
            }
            """, Usings + """
            class Worker
            {
                private async void Tick()
                {
                    await Task.Yield();
                }

                private async Task Start()
                {
                    await Task.Yield();
                }

                public Action Ticker => Tick;
            }
            """);

    [Fact]
    public Task AP2005_AsyncLambdaAsAnActionFirst()
        => AssertFixAllAsync<AsyncLambdaToVoidDelegateAnalyzer, AsyncLambdaToVoidDelegateCodeFix>(Usings + """
            class Sender
            {
                public Action Ticker => async () => await Task.Delay(1);

                private void Run(List<string> urls)
                {
                    urls.ForEach(async url => await Task.Delay(url.Length));
                }
            }
            """, Usings + """
            class Sender
            {
                public Action Ticker => async () => await Task.Delay(1);

                private async Task Run(List<string> urls)
                {
                    foreach (var url in urls)
                    {
                        await Task.Delay(url.Length);
                    }
                }
            }
            """);

    [Fact]
    public Task AP2006_NestedTaskTypeKeptFirst()
        => AssertFixAllAsync<NestedTaskAnalyzer, NestedTaskCodeFix>(Usings + """
            class Worker
            {
                public async Task RunAsync()
                {
                    Task<Task<int>> outer = Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; });
                    await await outer;
                    await Task.Factory.StartNew(async () => await Task.Delay(100));
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync()
                {
                    Task<Task<int>> outer = Task.Factory.StartNew(async () => { await Task.Delay(100); return 1; });
                    await await outer;
                    await Task.Run(async () => await Task.Delay(100));
                }
            }
            """);

    [Fact]
    public Task AP2007_ReturnInsideALockFirst()
        => AssertFixAllAsync<TaskReturnedFromScopeAnalyzer, TaskReturnedFromScopeCodeFix>(Usings + """
            class Client
            {
                private readonly object _gate = new();

                public Task FlushAsync(Func<Task> flush)
                {
                    lock (_gate)
                        return flush();
                }

                public Task SendAsync(Func<Stream, Task> send)
                {
                    using var stream = new MemoryStream();
                    return send(stream);
                }
            }
            """, Usings + """
            class Client
            {
                private readonly object _gate = new();

                public Task FlushAsync(Func<Task> flush)
                {
                    lock (_gate)
                        return flush();
                }

                public async Task SendAsync(Func<Stream, Task> send)
                {
                    using var stream = new MemoryStream();
                    await send(stream);
                }
            }
            """);

    [Fact]
    public Task AP3002_LocalFunctionUsedAfterTheReleaseFirst()
        => AssertFixAllAsync<ReleaseNotInFinallyAnalyzer, ReleaseNotInFinallyCodeFix>(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public int Read()
                {
                    _gate.Wait();
                    int Twice(int x) => x * 2;
                    _gate.Release();
                    return Twice(21);
                }

                public void Write(List<int> items)
                {
                    _gate.Wait();
                    items.Add(1);
                    _gate.Release();
                }
            }
            """, Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public int Read()
                {
                    _gate.Wait();
                    int Twice(int x) => x * 2;
                    _gate.Release();
                    return Twice(21);
                }

                public void Write(List<int> items)
                {
                    _gate.Wait();
                    try
                    {
                        items.Add(1);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """);

    [Fact]
    public Task AP3003_PlainAssignmentFirst()
        => AssertFixAllAsync<ReadModifyWriteAcrossAwaitAnalyzer, ReadModifyWriteAcrossAwaitCodeFix>(Usings + """
            class Counter
            {
                private int _total;
                private int _count;

                public async Task AddAsync(Func<Task<int>> next)
                {
                    _total = _total + await next();
                    _count += await next();
                }
            }
            """, Usings + """
            class Counter
            {
                private int _total;
                private int _count;

                public async Task AddAsync(Func<Task<int>> next)
                {
                    _total = _total + await next();
                    var countDelta = await next();
                    _count += countDelta;
                }
            }
            """);

    [Fact]
    public Task AP3006_TryWithACatchFirst()
        => AssertFixAllAsync<AcquireInsideTryAnalyzer, AcquireInsideTryCodeFix>(Usings + """
            class Store
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                public async Task SaveAsync(CancellationToken ct)
                {
                    try { await _gate.WaitAsync(ct); }
                    catch (OperationCanceledException) { throw; }
                    finally { _gate.Release(); }
                }

                public async Task LoadAsync(CancellationToken ct)
                {
                    try
                    {
                        await _gate.WaitAsync(ct);
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

                public async Task SaveAsync(CancellationToken ct)
                {
                    try { await _gate.WaitAsync(ct); }
                    catch (OperationCanceledException) { throw; }
                    finally { _gate.Release(); }
                }

                public async Task LoadAsync(CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            """);

    [Fact]
    public Task AP4001_ClientInACallChainFirst()
        => AssertFixAllAsync<UndisposedHttpClientAnalyzer, UndisposedHttpClientCodeFix>(Usings + """
            class Fetcher
            {
                public async Task<int> GetAsync(string url)
                {
                    string text = await new HttpClient().GetStringAsync(url);
                    var client = new HttpClient();
                    return text.Length + (await client.GetStringAsync(url)).Length;
                }
            }
            """, Usings + """
            class Fetcher
            {
                public async Task<int> GetAsync(string url)
                {
                    string text = await new HttpClient().GetStringAsync(url);
                    using var client = new HttpClient();
                    return text.Length + (await client.GetStringAsync(url)).Length;
                }
            }
            """);

    [Fact]
    public Task AP4002_ClientBuiltFromTheInstanceFirst_IsNotHoistedByFixAll()
        => AssertFixAllAsync<HttpClientPerOperationAnalyzer, HttpClientPerOperationCodeFix>(Usings + """
            class Fetcher
            {
                private readonly HttpMessageHandler _handler = new HttpClientHandler();

                public async Task<string> FromHandlerAsync(string url)
                {
                    var client = new HttpClient(_handler, false);
                    return await client.GetStringAsync(url);
                }

                public async Task<string> PlainAsync(string url)
                {
                    var client = new HttpClient();
                    return await client.GetStringAsync(url);
                }
            }
            """, Usings + """
            class Fetcher
            {
                private readonly HttpMessageHandler _handler = new HttpClientHandler();
                private static readonly HttpClient SharedHttpClient = new HttpClient();

                public async Task<string> FromHandlerAsync(string url)
                {
                    var client = new HttpClient(_handler, false);
                    return await client.GetStringAsync(url);
                }

                public async Task<string> PlainAsync(string url)
                {
                    return await SharedHttpClient.GetStringAsync(url);
                }
            }
            """);

    [Fact]
    public Task AP4005_DisposeInALockFirst()
        => AssertFixAllAsync<SyncDisposeOfAsyncDisposableAnalyzer, SyncDisposeOfAsyncDisposableCodeFix>(Usings + """
            class Writer
            {
                private readonly object _gate = new();

                public async Task WriteAsync(string path)
                {
                    await Task.Yield();
                    lock (_gate)
                    {
                        var other = new FileStream(path, FileMode.Create);
                        other.WriteByte(1);
                        other.Dispose();
                    }
                    using var stream = new FileStream(path + ".bak", FileMode.Create);
                    stream.WriteByte(1);
                }
            }
            """, Usings + """
            class Writer
            {
                private readonly object _gate = new();

                public async Task WriteAsync(string path)
                {
                    await Task.Yield();
                    lock (_gate)
                    {
                        var other = new FileStream(path, FileMode.Create);
                        other.WriteByte(1);
                        other.Dispose();
                    }
                    await using var stream = new FileStream(path + ".bak", FileMode.Create);
                    stream.WriteByte(1);
                }
            }
            """);

    [Fact]
    public Task AP5006_HandlerReadingTheTaskFirst()
        => AssertFixAllAsync<CatchTaskCanceledOnlyAnalyzer, CatchTaskCanceledOnlyCodeFix>(Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (TaskCanceledException ex) { Console.WriteLine(ex.Task?.Id); throw; }
                    try { await work(ct); }
                    catch (TaskCanceledException) { throw; }
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct)
                {
                    try { await work(ct); }
                    catch (TaskCanceledException ex) { Console.WriteLine(ex.Task?.Id); throw; }
                    try { await work(ct); }
                    catch (OperationCanceledException) { throw; }
                }
            }
            """);
}
