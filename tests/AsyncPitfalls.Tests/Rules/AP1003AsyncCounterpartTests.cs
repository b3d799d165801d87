using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.AsyncCounterpartAnalyzer, AsyncPitfalls.Rules.AsyncCounterpartCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP1003AsyncCounterpartTests
{
    private const string Usings = """
        using System;
        using System.Data.Common;
        using System.Diagnostics;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Positive shapes: found by the general search ----

    [Fact]
    public Task Reports_FileAndStreamIo_WithMessageNamingBothMethods()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Loader
            {
                public async Task<string> LoadAsync(string path, Stream stream, StreamReader reader, StreamWriter writer)
                {
                    var text = {|#0:File.ReadAllText(path)|};
                    var buffer = new byte[16];
                    {|#1:stream.Read(buffer, 0, buffer.Length)|};
                    {|#2:stream.Flush()|};
                    {|#3:stream.CopyTo(Stream.Null)|};
                    var rest = {|#4:reader.ReadToEnd()|};
                    var line = {|#5:reader.ReadLine()|};
                    {|#6:writer.Write(text)|};
                    await Task.Yield();
                    return text + rest + line;
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'File.ReadAllText' blocks the thread in async method 'LoadAsync'; use 'await File.ReadAllTextAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Stream.Read", "async method 'LoadAsync'", "Stream.ReadAsync"),
            Verify.Diagnostic().WithLocation(2).WithArguments("Stream.Flush", "async method 'LoadAsync'", "Stream.FlushAsync"),
            Verify.Diagnostic().WithLocation(3).WithArguments("Stream.CopyTo", "async method 'LoadAsync'", "Stream.CopyToAsync"),
            Verify.Diagnostic().WithLocation(4).WithArguments("StreamReader.ReadToEnd", "async method 'LoadAsync'", "StreamReader.ReadToEndAsync"),
            Verify.Diagnostic().WithLocation(5).WithArguments("StreamReader.ReadLine", "async method 'LoadAsync'", "StreamReader.ReadLineAsync"),
            Verify.Diagnostic().WithLocation(6).WithArguments("StreamWriter.Write", "async method 'LoadAsync'", "StreamWriter.WriteAsync"));

    [Fact]
    public Task Reports_HttpSend_Db_Semaphore_Process()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Service
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task RunAsync(HttpClient http, DbConnection connection, DbCommand command, Process process)
                {
                    [|_gate.Wait()|];
                    using var response = [|http.Send(new HttpRequestMessage(HttpMethod.Get, "https://example.com"))|];
                    [|connection.Open()|];
                    [|command.ExecuteNonQuery()|];
                    using var rows = [|command.ExecuteReader()|];
                    [|process.WaitForExit()|];
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Reports_OwnTypes_Bases_Extensions_TaskReturningMethods_AndLambdas()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Repository
            {
                public int Save(string name) => 0;
                public Task<int> SaveAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(0);
            }
            class CachedRepository : Repository { }
            class Queue { public void Push(int item) { } }
            static class QueueExtensions
            {
                public static ValueTask PushAsync(this Queue queue, int item) => default;
            }
            class Service
            {
                public async Task RunAsync(CachedRepository repository, Queue queue)
                {
                    [|repository.Save("a")|];
                    [|queue.Push(1)|];
                    await Task.Yield();
                }

                public Task<int> CountAsync(Repository repository) => Task.FromResult([|repository.Save("b")|]);

                public Func<Repository, Task> Handler = async repository => { [|repository.Save("c")|]; await Task.Yield(); };
            }
            """);

    // The search skips the extension lookup where no file could import a counterpart: each way a file imports one is found.
    [Fact]
    public Task Reports_ExtensionCounterparts_ImportedByUsing_GlobalUsing_EnclosingNamespace_AndUsingStatic_NotUnimportedOnes()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    """
                    using System.Threading.Tasks;
                    using Ext.ByUsing;
                    using static Ext.ByStatic.SealExtensions;

                    namespace App.Services
                    {
                        class Worker
                        {
                            public async Task RunAsync(Queue queue)
                            {
                                [|queue.Push(1)|];
                                [|queue.Drain()|];
                                [|queue.Trim()|];
                                [|queue.Seal()|];
                                queue.Close();
                                await Task.Yield();
                            }
                        }
                    }
                    """,
                    """
                    global using Ext.ByGlobalUsing;
                    """,
                    """
                    using System.Threading.Tasks;

                    namespace App
                    {
                        public class Queue
                        {
                            public void Push(int item) { }
                            public void Drain() { }
                            public void Trim() { }
                            public void Seal() { }
                            public void Close() { }
                        }

                        public static class TrimExtensions { public static ValueTask TrimAsync(this Queue queue) => default; }
                    }

                    namespace Ext.ByUsing { public static class PushExtensions { public static ValueTask PushAsync(this App.Queue queue, int item) => default; } }
                    namespace Ext.ByGlobalUsing { public static class DrainExtensions { public static ValueTask DrainAsync(this App.Queue queue) => default; } }
                    namespace Ext.ByStatic { public static class SealExtensions { public static ValueTask SealAsync(this App.Queue queue) => default; } }
                    namespace Ext.NotImported { public static class CloseExtensions { public static ValueTask CloseAsync(this App.Queue queue) => default; } }
                    """,
                },
            },
        }.RunAsync();

    // Files with the same usings and namespaces share their extension lookups, except a file that declares a static
    // class: inside it, its private extension methods are in scope too. The first file's private FlushAsync must not
    // become the counterpart in the second, which imports alike.
    [Fact]
    public Task Reports_PrivateExtensionCounterpart_OnlyInsideItsClass_NotInAFileThatImportsAlike()
        => new Verify.Test
        {
            TestState =
            {
                Sources =
                {
                    """
                    using System.Threading.Tasks;

                    namespace App
                    {
                        public static class QueueHelpers
                        {
                            private static ValueTask FlushAsync(this Queue queue) => default;

                            public static async Task DrainAsync(Queue queue)
                            {
                                [|queue.Flush()|];
                                await Task.Yield();
                            }
                        }
                    }
                    """,
                    """
                    using System.Threading.Tasks;

                    namespace App
                    {
                        class Worker
                        {
                            public async Task RunAsync(Queue queue)
                            {
                                queue.Flush();
                                await Task.Yield();
                            }
                        }
                    }
                    """,
                    """
                    namespace App
                    {
                        public class Queue
                        {
                            public void Flush() { }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // ---- Negative shapes ----

    [Fact]
    public Task NoDiagnostic_InMemoryTypes_Console_TokenSources_ZeroTimeouts_Dispose()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Service
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task RunAsync(CancellationTokenSource cts, CancellationTokenRegistration registration)
                {
                    using var memory = new MemoryStream();
                    memory.Write(new byte[4], 0, 4);
                    memory.Flush();
                    memory.CopyTo(Stream.Null);
                    using var reader = new StringReader("a");
                    reader.ReadToEnd();
                    using var writer = new StringWriter();
                    writer.Write("b");
                    Console.Out.WriteLine("c");
                    Console.Error.Flush();
                    cts.Cancel();
                    registration.Dispose();
                    var file = File.OpenRead("a");
                    file.Dispose();
                    if (_gate.Wait(0))
                        _gate.Release();
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_SyncCode_AndWorkOffloadedToTaskRun()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Service
            {
                public string Load(string path) => File.ReadAllText(path);

                public async Task<string> LoadAsync(string path)
                {
                    var a = await Task.Run(() => File.ReadAllText(path));
                    var b = await Task.Run(async () => { await Task.Yield(); return File.ReadAllText(path); });
                    return a + b + nameof(File.ReadAllText);
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_CounterpartIsTheEnclosingMember_OrABridge()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store
            {
                public string Load() => "x";
                public Task<string> LoadAsync() => Task.FromResult(Load());

                public int Send(string message) => 1;
                public Task<int> SendAsync(string message) => SendAsync(message, CancellationToken.None);
                public Task<int> SendAsync(string message, CancellationToken cancellationToken) => Task.FromResult(Send(message));
            }
            interface IReader
            {
                string Read();
                Task<string> ReadAsync() => Task.FromResult(Read());
            }
            class Client
            {
                public async Task<string> UseAsync(IReader reader)
                {
                    await Task.Yield();
                    return reader.Read();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_CounterpartIsWhatTheEnclosingMemberOverrides_OrItsOverload()
        => Verify.VerifyAnalyzerAsync(Usings + """
            abstract class Converter
            {
                public abstract int Read(string text);
                public abstract ValueTask<int> ReadAsync(string text, CancellationToken cancellationToken);
            }
            sealed class NumberConverter : Converter
            {
                public override int Read(string text) => text.Length;

                // The fast path of an override: awaiting the base ReadAsync would dispatch back here.
                public override ValueTask<int> ReadAsync(string text, CancellationToken cancellationToken) => new(Read(text));
            }
            sealed class BufferStream : Stream
            {
                public override bool CanRead => true;
                public override bool CanSeek => false;
                public override bool CanWrite => false;
                public override long Length => 0;
                public override long Position { get => 0; set { } }
                public override void Flush() { }
                public override int Read(byte[] buffer, int offset, int count) => 0;
                public override long Seek(long offset, SeekOrigin origin) => 0;
                public override void SetLength(long value) { }
                public override void Write(byte[] buffer, int offset, int count) { }

                // The data is in memory already; Stream's other ReadAsync overload forwards to this one.
                public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
                    => Task.FromResult(Read(buffer, offset, count));
            }
            """);

    [Fact]
    public Task NoDiagnostic_CounterpartOnThisIsTheInterfaceMemberBeingImplemented_OrTheBaseMemberBeingHidden()
        => Verify.VerifyAnalyzerAsync(Usings + """
            interface IResettable
            {
                void Reset();
                Task ResetAsync(CancellationToken cancellationToken = default);
            }
            sealed class Tracker : IResettable
            {
                private int _count;

                void IResettable.Reset() => _count = 0;

                // Awaiting IResettable.ResetAsync on this object would call this very method again.
                Task IResettable.ResetAsync(CancellationToken cancellationToken)
                {
                    ((IResettable)this).Reset();
                    return Task.CompletedTask;
                }
            }
            sealed class Session : IResettable
            {
                public void Reset() { }

                Task IResettable.ResetAsync(CancellationToken cancellationToken)
                {
                    Reset();
                    return Task.CompletedTask;
                }
            }
            abstract class Generator
            {
                public virtual object Next(int seed) => Produce(seed);
                protected abstract object Produce(int seed);
                public virtual ValueTask<object> NextAsync(int seed, CancellationToken cancellationToken = default) => ProduceAsync(seed, cancellationToken);
                protected virtual ValueTask<object> ProduceAsync(int seed, CancellationToken cancellationToken) => new(Produce(seed));
            }
            abstract class Generator<T> : Generator
            {
                public new abstract T Next(int seed);

                // The base NextAsync goes through ProduceAsync, which this class routes back here.
                public new virtual ValueTask<T> NextAsync(int seed, CancellationToken cancellationToken = default) => new(Next(seed));

                protected override object Produce(int seed) => Next(seed);
                protected override async ValueTask<object> ProduceAsync(int seed, CancellationToken cancellationToken) => await NextAsync(seed, cancellationToken);
            }
            """);

    [Fact]
    public Task Reports_InterfaceCounterpartOnAnotherObject_InTheMemberThatImplementsIt()
        => Verify.VerifyAnalyzerAsync(Usings + """
            interface IResettable
            {
                void Reset();
                Task ResetAsync(CancellationToken cancellationToken = default);
            }
            sealed class ResettingDecorator : IResettable
            {
                private readonly IResettable _inner;

                public ResettingDecorator(IResettable inner) => _inner = inner;

                void IResettable.Reset() => _inner.Reset();

                // The inner object's ResetAsync is another method: awaiting it is the fix.
                Task IResettable.ResetAsync(CancellationToken cancellationToken)
                {
                    {|#0:_inner.Reset()|};
                    return Task.CompletedTask;
                }
            }
            abstract class Generator
            {
                public virtual object Next(int seed) => seed;
                public virtual ValueTask<object> NextAsync(int seed, CancellationToken cancellationToken = default) => default;
            }
            sealed class Relay : Generator
            {
                private readonly Generator _source;

                public Relay(Generator source) => _source = source;

                public new async ValueTask<object> NextAsync(int seed, CancellationToken cancellationToken = default)
                {
                    await Task.Yield();
                    return {|#1:_source.Next(seed)|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("IResettable.Reset", "Task-returning method 'IResettable.ResetAsync'", "IResettable.ResetAsync"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Generator.Next", "async method 'NextAsync'", "Generator.NextAsync"));

    private const string StreamUsings = "using System.IO.Compression;\nusing System.Security.Cryptography;\n";

    [Fact]
    public Task NoDiagnostic_StreamsThatOnlyHoldMemory_WrappersSerializersAndByteContent()
        => Verify.VerifyAnalyzerAsync(StreamUsings + Usings + """
            interface IDocumentSerializer
            {
                T FromJson<T>(Stream stream);
                ValueTask<T> FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken = default);
            }
            class Envelope
            {
                public async Task<byte[]> SealAsync(byte[] bytes, ICryptoTransform transform)
                {
                    using var destination = new MemoryStream();
                    using var crypto = new CryptoStream(destination, transform, CryptoStreamMode.Write);
                    await crypto.WriteAsync(bytes, 0, bytes.Length);
                    crypto.FlushFinalBlock();
                    return destination.ToArray();
                }

                public async Task<byte[]> UnzipAsync(byte[] body)
                {
                    await Task.Yield();
                    using var source = new MemoryStream(body);
                    using var zip = new GZipStream(source, CompressionMode.Decompress);
                    using var target = new MemoryStream();
                    zip.CopyTo(target);
                    using var reader = new StreamReader(new BufferedStream(new MemoryStream(body)));
                    reader.ReadToEnd();
                    return target.ToArray();
                }

                public async Task<T> ReadAsync<T>(IDocumentSerializer serializer, Stream network, CancellationToken cancellationToken)
                {
                    var buffer = new MemoryStream();
                    await network.CopyToAsync(buffer, cancellationToken);
                    buffer.Position = 0;
                    return serializer.FromJson<T>(buffer);
                }

                public async Task<int> MeasureAsync(byte[] body)
                {
                    await Task.Yield();
                    var content = new ByteArrayContent(body);
                    using var stream = content.ReadAsStream();
                    return (int)stream.Length;
                }
            }
            """);

    [Fact]
    public Task Reports_WrappersSerializersAndClientsOverStreamsThatMayDoIo()
        => Verify.VerifyAnalyzerAsync(StreamUsings + Usings + """
            interface IDocumentSerializer
            {
                T FromJson<T>(Stream stream);
                ValueTask<T> FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken = default);
            }
            sealed class UploadClient : IDisposable
            {
                public void Upload(Stream data) { }
                public Task UploadAsync(Stream data) => Task.CompletedTask;
                public void Dispose() { }
            }
            class Envelope
            {
                public async Task SealAsync(byte[] bytes, ICryptoTransform transform, string path)
                {
                    using var destination = File.Create(path);
                    using var crypto = new CryptoStream(destination, transform, CryptoStreamMode.Write);
                    await crypto.WriteAsync(bytes, 0, bytes.Length);
                    [|crypto.FlushFinalBlock()|];
                }

                public async Task<T> ReadAsync<T>(IDocumentSerializer serializer, Stream network)
                {
                    await Task.Yield();
                    using var zip = new GZipStream(network, CompressionMode.Decompress);
                    return [|serializer.FromJson<T>(zip)|];
                }

                public async Task SendAsync(UploadClient client, byte[] body)
                {
                    await Task.Yield();
                    // The buffer is memory, but the client sends it over the network.
                    [|client.Upload(new MemoryStream(body))|];
                }

                public async Task CopyAsync(byte[] body, Stream network)
                {
                    await Task.Yield();
                    var source = new MemoryStream(body);
                    var zip = new GZipStream(source, CompressionMode.Decompress);
                    [|zip.CopyTo(network)|];
                    zip = new GZipStream(network, CompressionMode.Decompress);
                    [|zip.CopyTo(source)|];
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_TearDownInACatchThatRethrows()
        => Verify.VerifyAnalyzerAsync("using System.Net;\nusing System.Net.Sockets;\n" + Usings + """
            class ProxyConnector
            {
                public async Task<Stream> ConnectAsync(Socket socket, EndPoint endPoint, byte[] handshake)
                {
                    try
                    {
                        await socket.ConnectAsync(endPoint);
                        await socket.SendAsync(handshake, SocketFlags.None);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        // The handshake failed: drop the socket and let the failure go on.
                        if (socket.Connected)
                            socket.Disconnect(false);
                        socket.Dispose();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Reports_DisconnectInACatchThatCarriesOn()
        => Verify.VerifyAnalyzerAsync("using System.Net;\nusing System.Net.Sockets;\n" + Usings + """
            class ProxyConnector
            {
                public async Task<bool> TryConnectAsync(Socket socket, EndPoint endPoint, byte[] handshake)
                {
                    try
                    {
                        await socket.ConnectAsync(endPoint);
                        await socket.SendAsync(handshake, SocketFlags.None);
                        return true;
                    }
                    catch (SocketException)
                    {
                        // Not failure clean-up: the method goes on and returns normally.
                        [|socket.Disconnect(false)|];
                        return false;
                    }
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_InCodeThatServesBothModes()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Writer
            {
                // One body for Write() and WriteAsync(): the caller picks the mode.
                internal async Task Write(Stream stream, byte[] data, bool async, CancellationToken cancellationToken)
                {
                    if (async)
                        await stream.WriteAsync(data, 0, data.Length, cancellationToken);
                    else
                        stream.Write(data, 0, data.Length);
                }

                internal async Task Flush(Stream stream, bool sync) => await (sync ? Task.Run(stream.Flush) : stream.FlushAsync());

                internal async Task Copy(Stream from, Stream to, bool useAsync)
                {
                    from.CopyTo(to);
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_CallsOfAsyncVoidMethods_WhichDoNotBlock()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Synchronizer
            {
                public async void SyncNow() => await Task.Yield();
                public async Task SyncNowAsync() => await Task.Yield();

                public async Task RunAsync()
                {
                    SyncNow();
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_ObsoleteOrMismatchedCounterparts_AndAsyncReturningCalls()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Api
            {
                public void Load(int id) { }
                [Obsolete] public Task LoadAsync(int id) => Task.CompletedTask;
                public void Flush() { }
                public Task FlushAsync(int timeout) => Task.CompletedTask;
                public void Delete(string name) { }
                public void DeleteAsync(string name) { }
                public Task Start() => Task.CompletedTask;
                public Task StartAsync() => Task.CompletedTask;
            }
            class Client
            {
                public async Task UseAsync(Api api)
                {
                    api.Load(1);
                    api.Flush();
                    api.Delete("a");
                    await api.Start();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_ShippedExclusions_EfCoreAndTestAssertions()
        => Verify.VerifyAnalyzerAsync(Usings + """
            namespace Microsoft.EntityFrameworkCore
            {
                public class DbSet<T>
                {
                    public void Add(T entity) { }
                    public ValueTask AddAsync(T entity, CancellationToken cancellationToken = default) => default;
                }
                public interface IDbContextFactory<T>
                {
                    T CreateDbContext();
                    Task<T> CreateDbContextAsync(CancellationToken cancellationToken = default);
                }
            }
            namespace NUnit.Framework
            {
                public static class Assert
                {
                    public static void That(bool condition) { }
                    public static Task ThatAsync(bool condition) => Task.CompletedTask;
                }
            }
            namespace App
            {
                class Service
                {
                    public async Task RunAsync(Microsoft.EntityFrameworkCore.DbSet<string> set, Microsoft.EntityFrameworkCore.IDbContextFactory<object> factory)
                    {
                        set.Add("a");
                        var context = factory.CreateDbContext();
                        NUnit.Framework.Assert.That(context is not null);
                        await Task.Yield();
                    }
                }
            }
            """);

    // ---- Options ----

    [Fact]
    public Task Option_ExcludedSymbolNames_ExtendsTheList()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.AP1003.excluded_symbol_names = Repository.Save|System.IO.File.ReadAllText\n") },
                Sources =
                {
                    Usings + """
                    class Repository
                    {
                        public int Save(string name) => 0;
                        public Task<int> SaveAsync(string name) => Task.FromResult(0);
                    }
                    class Service
                    {
                        public async Task RunAsync(Repository repository, Stream stream)
                        {
                            repository.Save("a");
                            File.ReadAllText("b");
                            [|stream.Flush()|];
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Option_UseDefaultExclusionsFalse_ReplacesTheList()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.AP1003.use_default_exclusions = false\n") },
                Sources =
                {
                    Usings + """
                    class Service
                    {
                        public async Task RunAsync()
                        {
                            using var memory = new MemoryStream();
                            [|memory.Flush()|];
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // ---- Broken code ----

    [Theory]
    [InlineData("async Task M() { File.ReadAllText( }")]
    [InlineData("async Task M() { File.ReadAllText(missing); await Task.Yield(); }")]
    [InlineData("async Task M() { Missing.Read(); await Task.Yield(); }")]
    [InlineData("async Task M() { new Unknown().Read(); await Task.Yield(); }")]
    [InlineData("async Task M() { Stream s = null; s.Read(; }")]
    [InlineData("async Task M() { var x = File.; }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    // ---- Code fix ----

    [Fact]
    public Task Fix_AwaitsTheCounterpart_ForwardingTheToken_WithPrecedence()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Loader
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task<int> LoadAsync(string path, Stream stream, CancellationToken ct)
                {
                    [|_gate.Wait()|];
                    var length = [|File.ReadAllText(path)|].Length;
                    var buffer = new byte[length];
                    var read = [|stream.Read(buffer, 0, buffer.Length)|];
                    await Task.Yield();
                    return read;
                }

                public async Task<int> NoTokenAsync(Stream stream)
                {
                    [|_gate.Wait()|];
                    var buffer = new byte[4];
                    await Task.Yield();
                    return [|stream.Read(buffer, 0, 4)|];
                }
            }
            """, Usings + """
            class Loader
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task<int> LoadAsync(string path, Stream stream, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    var length = (await File.ReadAllTextAsync(path, ct)).Length;
                    var buffer = new byte[length];
                    var read = await stream.ReadAsync(buffer, 0, buffer.Length, ct);
                    await Task.Yield();
                    return read;
                }

                public async Task<int> NoTokenAsync(Stream stream)
                {
                    await _gate.WaitAsync();
                    var buffer = new byte[4];
                    await Task.Yield();
                    return await stream.ReadAsync(buffer, 0, 4);
                }
            }
            """);

    [Fact]
    public Task Fix_AddsNoSecondToken_WhenTheCallAlreadyFillsTheTokenParameter()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Mailer
            {
                public int Post(string text, int retries, CancellationToken token) => 0;
                public Task<int> PostAsync(string text, int retries, CancellationToken token) => Task.FromResult(0);
            }
            class Service
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task RunAsync(HttpClient http, HttpRequestMessage request, Mailer mailer, CancellationToken ct)
                {
                    [|_gate.Wait(ct)|];
                    using var response = [|http.Send(request, ct)|];
                    [|mailer.Post("a", 1, CancellationToken.None)|];
                    [|mailer.Post(token: ct, retries: 2, text: "b")|];
                    [|mailer.Post("c", token: ct, retries: 3)|];
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Mailer
            {
                public int Post(string text, int retries, CancellationToken token) => 0;
                public Task<int> PostAsync(string text, int retries, CancellationToken token) => Task.FromResult(0);
            }
            class Service
            {
                private readonly SemaphoreSlim _gate = new(1);

                public async Task RunAsync(HttpClient http, HttpRequestMessage request, Mailer mailer, CancellationToken ct)
                {
                    await _gate.WaitAsync(ct);
                    using var response = await http.SendAsync(request, ct);
                    await mailer.PostAsync("a", 1, CancellationToken.None);
                    await mailer.PostAsync(token: ct, retries: 2, text: "b");
                    await mailer.PostAsync("c", token: ct, retries: 3);
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task NoFix_WhenANamedArgumentNamesNoParameterOfTheCounterpart()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Mailer
                    {
                        public int Post(string text) => 0;
                        public Task<int> PostAsync(string message, CancellationToken token = default) => Task.FromResult(0);
                    }
                    class Service
                    {
                        public async Task RunAsync(Mailer mailer, CancellationToken ct)
                        {
                            [|mailer.Post(text: "a")|];
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_PassesTheTokenByName_WhenOptionalParametersWereLeftOut()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Repository
            {
                public int Save(string name, int retries = 3) => 0;
                public Task<int> SaveAsync(string name, int retries = 3, CancellationToken cancellationToken = default) => Task.FromResult(0);
            }
            class Service
            {
                public async Task RunAsync(Repository repository, CancellationToken ct)
                {
                    [|repository.Save("a")|];
                    [|repository.Save(name: "b", retries: 1)|];
                    await Task.Yield();
                }
            }
            """, Usings + """
            class Repository
            {
                public int Save(string name, int retries = 3) => 0;
                public Task<int> SaveAsync(string name, int retries = 3, CancellationToken cancellationToken = default) => Task.FromResult(0);
            }
            class Service
            {
                public async Task RunAsync(Repository repository, CancellationToken ct)
                {
                    await repository.SaveAsync("a", cancellationToken: ct);
                    await repository.SaveAsync(name: "b", retries: 1, cancellationToken: ct);
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Fix_MakesTaskReturningMethodAsync_AndUsesExtensionCounterparts()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Repository
            {
                public int Save(string name) => 0;
                public Task<int> SaveAsync(string name) => Task.FromResult(0);
            }
            class Queue { public void Push(int item) { } }
            static class QueueExtensions
            {
                public static ValueTask PushAsync(this Queue queue, int item) => default;
            }
            class Service
            {
                public Task<int> CountAsync(Repository repository) => Task.FromResult([|repository.Save("b")|]);

                public Task EnqueueAsync(Queue queue)
                {
                    [|queue.Push(1)|];
                    return Task.CompletedTask;
                }
            }
            """, Usings + """
            class Repository
            {
                public int Save(string name) => 0;
                public Task<int> SaveAsync(string name) => Task.FromResult(0);
            }
            class Queue { public void Push(int item) { } }
            static class QueueExtensions
            {
                public static ValueTask PushAsync(this Queue queue, int item) => default;
            }
            class Service
            {
                public async Task<int> CountAsync(Repository repository) => await repository.SaveAsync("b");

                public async Task EnqueueAsync(Queue queue)
                {
                    await queue.PushAsync(1);
                }
            }
            """);

    [Fact]
    public Task NoFix_ConditionalAccess()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Service
                    {
                        public async Task RunAsync(Stream? stream)
                        {
                            stream?[|.Flush()|];
                            await Task.Yield();
                        }
                    }
                    """,
                },
            },
        }.RunAsync();
}
