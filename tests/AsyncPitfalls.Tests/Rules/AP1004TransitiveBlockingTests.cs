using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP1004TransitiveBlockingTests
{
    private const string Usings = """
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerVerifier<TransitiveBlockingAnalyzer>.Test
        {
            BuildOnly = true,
            TestState = { Sources = { Usings + source } },
        };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TransitiveBlockingAnalyzer>.Diagnostic();

    [Fact]
    public Task Reports_DirectBlockingHelper_NamingTheBlockAndItsLine()
        => VerifyAsync("""
            class Settings
            {
                public async Task StartAsync()
                {
                    await Task.Yield();
                    var text = {|#0:Load("settings.json")|};
                }

                private static string Load(string path)
                {
                    return File.ReadAllText(path);
                }
            }
            """,
            Diagnostic().WithLocation(0).WithMessage("'Load' blocks: it reaches 'File.ReadAllText' (Test0.cs line 15); called from async method 'StartAsync'"));

    [Fact]
    public Task BlocksReachedOnlyInAThrowAreQuiet_TheSameHelperOnTheNormalPathOrInACatchIsReported()
        => VerifyAsync("""
            class Connector
            {
                private readonly Stream _stream = new MemoryStream();

                // Npgsql: a protocol error breaks the connector, whose clean-up closes the stream synchronously.
                public async Task<int> ReadAsync()
                {
                    var code = await _stream.ReadAsync(new byte[1]);
                    if (code < 0)
                        throw Break(new IOException("unexpected message"));
                    return Expect(code);
                }

                public async Task CloseAsync()
                {
                    await Task.Yield();
                    {|#0:Break(null)|};
                }

                // RabbitMQ's recovery: closing what failed in a catch blocks as much as anywhere.
                public async Task RecoverAsync()
                {
                    try
                    {
                        await _stream.FlushAsync();
                    }
                    catch (IOException e)
                    {
                        {|#1:Break(e)|};
                        throw;
                    }
                }

                private int Expect(int code) => code == 1 ? code : throw Break(new IOException("expected 1"));

                private Exception Break(Exception? reason)
                {
                    _stream.Flush();
                    return reason ?? new IOException("broken");
                }
            }
            """,
            Diagnostic().WithLocation(0).WithMessage("'Break' blocks: it reaches 'Stream.Flush' (Test0.cs line 42); called from async method 'CloseAsync'"),
            Diagnostic().WithLocation(1).WithArguments("Break", "'Stream.Flush'", "Test0.cs line 42", "", "async method 'RecoverAsync'"));

    [Fact]
    public Task BlocksInAHelpersFailureCleanupAreQuiet_TheSameCleanUpInItsFinallyOrARetryIsReported()
        => VerifyAsync("""
            class Store
            {
                public async Task<int> QueryAsync()
                {
                    await Task.Yield();
                    var session = OpenSession();
                    var other = {|#0:OpenAndClose()|};
                    {|#1:Retry(() => File.Delete("lock"))|};
                    return session.GetHashCode() + other.GetHashCode();
                }

                // Marten: a session factory disposes what it opened when the session's constructor throws.
                private static object OpenSession()
                {
                    var connection = new MemoryStream();
                    try
                    {
                        return new object();
                    }
                    catch
                    {
                        DisposeAfterFailure(connection);
                        throw;
                    }
                }

                // The twin: the same clean-up in a finally runs on every call.
                private static object OpenAndClose()
                {
                    var connection = new MemoryStream();
                    try
                    {
                        return new object();
                    }
                    finally
                    {
                        DisposeAfterFailure(connection);
                    }
                }

                private static void DisposeAfterFailure(Stream stream) => Thread.Sleep(10);

                // The other twin (Rebus's Retrier): a retry sleeps in its catch and carries on, on the normal path.
                private static void Retry(Action action)
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        try
                        {
                            action();
                            return;
                        }
                        catch (IOException) when (attempt < 10)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """,
            Diagnostic().WithLocation(0).WithArguments("OpenAndClose", "'Thread.Sleep'", "Test0.cs line 45", " through 'Store.DisposeAfterFailure'", "async method 'QueryAsync'"),
            Diagnostic().WithLocation(1).WithArguments("Retry", "'Thread.Sleep'", "Test0.cs line 59", "", "async method 'QueryAsync'"));

    [Fact]
    public Task Reports_ThroughAChainOfHelpers_AndEveryBlockingShape()
        => VerifyAsync("""
            class Worker
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    {|#0:Outer()|};
                    {|#1:Sleepy()|};
                    {|#2:Waiting()|};
                    {|#3:Local()|};

                    void Local() => Outer();
                }

                private void Outer() => Middle();
                private void Middle() => Inner();
                private static void Inner() => Task.Delay(10).Wait();
                private static void Sleepy() => Thread.Sleep(10);
                private static int Waiting() => Task.Run(() => 1).Result;
            }
            """,
            Diagnostic().WithLocation(0).WithArguments("Outer", "'.Wait()' on 'Delay()'", "Test0.cs line 20", " through 'Worker.Middle' -> 'Worker.Inner'", "async method 'RunAsync'"),
            Diagnostic().WithLocation(1).WithArguments("Sleepy", "'Thread.Sleep'", "Test0.cs line 21", "", "async method 'RunAsync'"),
            Diagnostic().WithLocation(2).WithArguments("Waiting", "'.Result' on 'Run()'", "Test0.cs line 22", "", "async method 'RunAsync'"),
            Diagnostic().WithLocation(3).WithArguments("Local", "'.Wait()' on 'Delay()'", "Test0.cs line 20", " through 'Worker.Outer' -> 'Worker.Middle' -> 'Worker.Inner'", "async method 'RunAsync'"));

    [Fact]
    public Task Reports_ALongChain_WithItsEndsAndHowManyCallsAreLeftOut()
        => VerifyAsync("""
            class Deep
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    {|#0:D0()|};
                }

                private static void D0() => D1();
                private static void D1() => D2();
                private static void D2() => D3();
                private static void D3() => D4();
                private static void D4() => D5();
                private static void D5() => D6();
                private static void D6() => D7();
                private static void D7() => Thread.Sleep(10);
            }
            """,
            Diagnostic().WithLocation(0).WithMessage("'D0' blocks: it reaches 'Thread.Sleep' (Test0.cs line 20) through 'Deep.D1' -> 'Deep.D2' -> 'Deep.D3' -> (2 more) -> 'Deep.D6' -> 'Deep.D7'; called from async method 'RunAsync'"));

    [Fact]
    public Task NoDiagnostic_NonBlockingHelpers_SyncCallers_VirtualAndInterfaceCalls()
        => VerifyAsync("""
            interface IStore { string Load(); }
            class FileStore : IStore { public string Load() => File.ReadAllText("a"); }
            class Base { public virtual string Load() => File.ReadAllText("b"); }
            class Worker
            {
                public async Task RunAsync(IStore store, Base baseStore)
                {
                    await Task.Yield();
                    var a = store.Load();
                    var b = baseStore.Load();
                    var c = Pure(2);
                    var d = Deferred();
                    var e = await Task.Run(() => Blocking());
                }

                public void SyncCaller() => Blocking();
                private static int Pure(int x) => x * 2;
                private static Func<string> Deferred() => () => File.ReadAllText("c");
                private static string Blocking() => File.ReadAllText("d");
            }
            """);

    [Fact]
    public Task NoDiagnostic_InCodeThatServesBothModes()
        => VerifyAsync("""
            class Options { public bool IsSynchronous { get; set; } }
            class Worker
            {
                internal async Task Read(bool async)
                {
                    if (async)
                        await Task.Yield();
                    else
                        Blocking();
                }

                internal async Task Run(Options options)
                {
                    if (options.IsSynchronous)
                        Blocking();
                    await Task.Yield();
                }

                private static string Blocking() => File.ReadAllText("d");
            }
            """);

    [Fact]
    public Task NoDiagnostic_HelperWhoseTaskIsKnownComplete()
        => VerifyAsync("""
            class Worker
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    var n = Cached();
                }

                private static int Cached() => Task.FromResult(3).Result;
            }
            """);

    // The completion question is asked at compilation end, for the methods async code reaches: a wait on a task known to
    // be complete is no witness and the helper's next block is; the same wait unchecked is the witness.
    [Fact]
    public Task AWaitOnACheckedTaskIsNoWitness_TheHelpersNextBlockIs_TheSameWaitUncheckedIs()
        => VerifyAsync("""
            class Cache
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    {|#0:Refresh()|};
                    {|#1:Reload()|};
                }

                private static void Refresh()
                {
                    var pending = Fetch();
                    if (pending.IsCompleted)
                        Console.WriteLine(pending.Result);
                    File.ReadAllText("cache");
                }

                private static void Reload()
                {
                    var pending = Fetch();
                    Console.WriteLine(pending.Result);
                    File.ReadAllText("cache");
                }

                private static Task<int> Fetch() => Task.FromResult(1);
            }
            """,
            Diagnostic().WithLocation(0).WithArguments("Refresh", "'File.ReadAllText'", "Test0.cs line 19", "", "async method 'RunAsync'"),
            Diagnostic().WithLocation(1).WithArguments("Reload", "'.Result' on 'pending'", "Test0.cs line 25", "", "async method 'RunAsync'"));

    [Fact]
    public Task HelpersThatOnlyTouchMemoryStreamsAreQuiet_TheSameHelperOverAFileIsReported()
        => VerifyAsync("""
            using System.IO.Compression;
            class Archive
            {
                public async Task<byte[]> PackAsync(byte[] body, string path)
                {
                    await Task.Yield();
                    var packed = Zip(body);
                    {|#0:ZipToFile(body, path)|};
                    return packed;
                }

                private static byte[] Zip(byte[] body)
                {
                    using var target = new MemoryStream();
                    using (var zip = new GZipStream(target, CompressionLevel.Optimal))
                        zip.Write(body, 0, body.Length);
                    return target.ToArray();
                }

                private static void ZipToFile(byte[] body, string path)
                {
                    using var target = File.Create(path);
                    using var zip = new GZipStream(target, CompressionLevel.Optimal);
                    zip.Write(body, 0, body.Length);
                }
            }
            """,
            Diagnostic().WithLocation(0).WithMessage("'ZipToFile' blocks: it reaches 'GZipStream.Write' (Test0.cs line 28); called from async method 'PackAsync'"));

    [Fact]
    public Task Reports_RecursionAndMutualRecursionOnce()
        => VerifyAsync("""
            class Worker
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    {|#0:Ping(3)|};
                }

                private static void Ping(int n) { if (n > 0) Pong(n - 1); }
                private static void Pong(int n) { if (n == 1) File.ReadAllText("x"); Ping(n); Pong(n - 1); }
            }
            """,
            Diagnostic().WithLocation(0).WithArguments("Ping", "'File.ReadAllText'", "Test0.cs line 14", " through 'Worker.Pong'", "async method 'RunAsync'"));

    [Fact]
    public Task NoDiagnostic_WhereTheHelperHasAnAsyncTwin_ThatIsAP1003s()
        => VerifyAsync("""
            class Settings
            {
                public async Task StartAsync()
                {
                    await Task.Yield();
                    var text = Load();
                }

                private static string Load() => File.ReadAllText("settings.json");
                private static Task<string> LoadAsync() => File.ReadAllTextAsync("settings.json");
            }
            """);

    [Fact]
    public Task AHelpersCallWhoseNameAsyncIsABridge_IsFollowed_AndACallOfAHelperWithItsTwinBlocksWhereItIs()
        => VerifyAsync("""
            class Worker
            {
                public async Task RunAsync()
                {
                    await Task.Yield();
                    {|#0:Parse(1)|};
                    {|#1:Outer()|};
                    {|#2:Save()|};
                }

                private void Outer() => Parse(2);

                // ParseAsync only runs Parse on the pool, no counterpart to await: Parse's sleep is reached through it.
                private void Parse(int delay) => Thread.Sleep(delay);
                private Task ParseAsync(int delay) => Task.Run(() => Parse(delay));

                // Store has its own async twin: Save blocks where it calls Store.
                private void Save() => Store();
                private void Store() { }
                private Task StoreAsync() => Task.CompletedTask;
            }
            """,
            Diagnostic().WithLocation(0).WithArguments("Parse", "'Thread.Sleep'", "Test0.cs line 18", "", "async method 'RunAsync'"),
            Diagnostic().WithLocation(1).WithArguments("Outer", "'Thread.Sleep'", "Test0.cs line 18", " through 'Worker.Parse'", "async method 'RunAsync'"),
            Diagnostic().WithLocation(2).WithArguments("Save", "'Worker.Store'", "Test0.cs line 22", "", "async method 'RunAsync'"));

    [Theory]
    [InlineData("async Task M() { Helper( }  void Helper() { File.ReadAllText(\"a\"); }")]
    [InlineData("async Task M() { await Task.Yield(); Missing(); }")]
    [InlineData("async Task M() { await Task.Yield(); Helper(); } void Helper() { Helper2(; }")]
    [InlineData("async Task M() { await Task.Yield(); Helper(); } void Helper() => Task.Run(() => 1).Result")]
    public Task NoCrash_OnHalfTypedCode(string members)
        => new CSharpAnalyzerVerifier<TransitiveBlockingAnalyzer>.Test
        {
            BuildOnly = true,
            CompilerDiagnostics = CompilerDiagnostics.None,
            CheckOnlyForCrashes = true,
            TestState = { Sources = { Usings + "class C { " + members + " }" } },
        }.RunAsync();
}
