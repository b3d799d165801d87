using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.SyncDisposeOfAsyncDisposableAnalyzer, AsyncPitfalls.Rules.SyncDisposeOfAsyncDisposableCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP4005SyncDisposeOfAsyncDisposableTests
{
    private const string Usings = AP4001UndisposedHttpClientTests.Usings;

    [Fact]
    public Task Reports_UsingAndDisposeCallsInAsyncCode()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Writer
            {
                public async Task WriteAsync(string path, string text)
                {
                    {|#0:using|} var stream = new FileStream(path, FileMode.Create);
                    await stream.WriteAsync(new byte[1]);
                    {|#1:using|} (var writer = new StreamWriter(path + ".txt"))
                        await writer.WriteAsync(text);
                    var other = new FileStream(path + ".bak", FileMode.Create);
                    await other.WriteAsync(new byte[1]);
                    {|#2:other.Dispose()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'stream' (FileStream) implements IAsyncDisposable but is disposed synchronously in async method 'WriteAsync': its asynchronous clean-up blocks the thread; use 'await using'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("writer", "StreamWriter", "async method 'WriteAsync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("other", "FileStream", "async method 'WriteAsync'"));

    [Fact]
    public Task Reports_ConditionalDispose_NamingTheReceiver()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connection
            {
                private Stream? _stream;

                public async Task CloseAsync()
                {
                    await Task.Yield();
                    _stream?{|#0:.Dispose()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("_stream", "Stream", "async method 'CloseAsync'"));

    // 'await using' is C# 8: at C# 7.3 (a netstandard2.0 or net472 library's default) the fix wrote CS8370.
    [Fact]
    public Task NoFix_ForAUsingStatement_BelowCSharp8()
        => new Verify.Test
        {
            LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3,
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Writer
                    {
                        public async Task WriteAsync(string path, string text)
                        {
                            [|using|] (var writer = new StreamWriter(path))
                            {
                                await writer.WriteAsync(text);
                            }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoFix_ConditionalDispose()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Connection
                    {
                        private Stream? _stream;

                        public async Task CloseAsync()
                        {
                            await Task.Yield();
                            _stream?[|.Dispose()|];
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoDiagnostic_AnObjectDisposingItself()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Store : IDisposable, IAsyncDisposable
            {
                private readonly Stream _log = Stream.Null;

                public void Dispose() => _log.Flush();

                // The asynchronous part first, then the synchronous rest: there is no 'await using' to write.
                public async ValueTask DisposeAsync()
                {
                    await _log.FlushAsync();
                    Dispose();
                }

                public async Task ResetAsync()
                {
                    await Task.Yield();
                    this.Dispose();
                }
            }
            """);

    [Fact]
    public Task NoDiagnostic_AwaitUsing_SyncCode_CheapTypes_PlainDisposables()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Writer
            {
                public async Task WriteAsync(string path, CancellationToken ct)
                {
                    await using var stream = new FileStream(path, FileMode.Create);
                    using var memory = new MemoryStream();
                    using var registration = ct.Register(() => { });
                    using var timer = new Timer(_ => { }, null, 0, 1000);
                    using var tick = TimeProvider.System.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
                    using var cts = new CancellationTokenSource();
                    using var client = new HttpClient();
                    await stream.WriteAsync(memory.ToArray());
                }

                public void Write(string path)
                {
                    using var stream = new FileStream(path, FileMode.Create);
                }
            }
            """);

    // ---- Noise shapes found on real code (docs/real-code.md), each with its closest real twin ----

    [Fact]
    public Task CommandsAreQuiet_TheirReadersAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            using System.Data.Common;

            class TriggerStore
            {
                public async Task<int> CountAsync(DbConnection connection)
                {
                    // Quartz and Dapper: a command's Dispose does no I/O; the reader's drains the rest of the results.
                    using (var command = connection.CreateCommand())
                    {
                        command.CommandText = "select count(*) from triggers";
                        {|#0:using|} (var reader = await command.ExecuteReaderAsync())
                        {
                            await reader.ReadAsync();
                            return reader.GetInt32(0);
                        }
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("reader", "DbDataReader", "async method 'CountAsync'"));

    [Fact]
    public Task ReadOnlyFilesAreQuiet_FilesOpenedForWritingAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Copier
            {
                public async Task CopyAsync(string from, string to)
                {
                    using var source = File.OpenRead(from);
                    using var alsoSource = new FileStream(from, FileMode.Open, FileAccess.Read);
                    {|#0:using|} var target = new FileStream(to, FileMode.Create, FileAccess.Write);
                    await source.CopyToAsync(target);
                    await alsoSource.CopyToAsync(target);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("target", "FileStream", "async method 'CopyAsync'"));

    [Fact]
    public Task StreamsOnlyReadAreQuiet_AStreamWrittenOrHandedOnIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Importer
            {
                // Rebus, MassTransit, Minio: streams opened elsewhere and only read here have nothing to flush.
                public async Task<string> ReadAllAsync(Func<Stream> open, byte[] buffer)
                {
                    using var source = open();
                    var length = source.Length;
                    await source.ReadAsync(buffer, 0, buffer.Length);
                    using (var other = open())
                    using (var reader = new StreamReader(other))
                        return await reader.ReadToEndAsync() + length;
                }

                public async Task<T?> LoadAsync<T>(Func<Stream> open)
                {
                    var input = open();
                    var value = await System.Text.Json.JsonSerializer.DeserializeAsync<T>(input);
                    input.Dispose();
                    return value;
                }

                // Its closest real twins: the same stream copied into, written through a writer, or handed to another method.
                public async Task SaveAsync(Func<Stream> open, Stream from, Action<Stream> share)
                {
                    {|#0:using|} var target = open();
                    await from.CopyToAsync(target);
                    {|#1:using|} (var wrapped = open())
                    {|#4:using|} (var writer = new StreamWriter(wrapped, System.Text.Encoding.UTF8, 1024, leaveOpen: true))
                        await writer.WriteAsync("x");
                    {|#2:using|} var shared = open();
                    share(shared);
                    {|#3:using|} var written = open();
                    await written.WriteAsync(new byte[1]);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("target", "Stream", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("wrapped", "Stream", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("shared", "Stream", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(3).WithArguments("written", "Stream", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(4).WithArguments("writer", "StreamWriter", "async method 'SaveAsync'"));

    [Fact]
    public Task StreamsWithNothingLeftToFlushAreQuiet_TheirTwinsAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            using System.IO.Compression;

            class Archive
            {
                public async Task SaveAsync(string path, byte[] data)
                {
                    // Rebus, CliWrap: the writer declared after the file closes it first; the writer is the one reported.
                    using var file = new FileStream(path, FileMode.Create);
                    {|#0:using|} var writer = new StreamWriter(file);
                    await writer.WriteAsync("header");

                    // Twin: a writer that leaves the stream open does not close it.
                    {|#1:using|} var kept = new FileStream(path + ".1", FileMode.Create);
                    {|#2:using|} var keeping = new StreamWriter(kept, System.Text.Encoding.UTF8, 1024, leaveOpen: true);
                    await keeping.WriteAsync("header");
                }

                public async Task<byte[]> CompressAsync(byte[] data, Stream target)
                {
                    // Rebus: compressing into memory finishes into memory.
                    var buffer = new MemoryStream();
                    using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
                        await zip.WriteAsync(data);
                    // Telegram.Bot, MassTransit: a stream created to read has nothing to flush.
                    using (var unzip = new GZipStream(target, CompressionMode.Decompress, leaveOpen: true))
                        await unzip.ReadAsync(new byte[16]);
                    // Twins: compressing into the caller's stream finishes there.
                    {|#3:using|} (var toTarget = new GZipStream(target, CompressionMode.Compress, leaveOpen: true))
                        await toTarget.WriteAsync(data);
                    return buffer.ToArray();
                }

                public async Task CopyAsync(Stream from, string path)
                {
                    // CliWrap: flushed asynchronously as the last thing done, Dispose only closes the handle.
                    using (var destination = new FileStream(path, FileMode.Create))
                    {
                        await from.CopyToAsync(destination);
                        await destination.FlushAsync().ConfigureAwait(false);
                    }
                    // Twin: written again after the flush.
                    {|#4:using|} (var again = new FileStream(path + ".2", FileMode.Create))
                    {
                        await again.FlushAsync();
                        await again.WriteAsync(new byte[1]);
                    }
                    // Twin (CliWrap): a flushed writer still closes the stream it wraps, which may write on close.
                    {|#5:using|} (var entry = new StreamWriter(new GZipStream(from, CompressionMode.Compress)))
                    {
                        await entry.WriteAsync("x");
                        await entry.FlushAsync();
                    }
                    // Twin (MassTransit): a file shared for reading is still written.
                    {|#6:using|} (var shared = new FileStream(path + ".3", FileMode.CreateNew, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous))
                        await from.CopyToAsync(shared);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("writer", "StreamWriter", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("kept", "FileStream", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("keeping", "StreamWriter", "async method 'SaveAsync'"),
            Verify.Diagnostic().WithLocation(3).WithArguments("toTarget", "GZipStream", "async method 'CompressAsync'"),
            Verify.Diagnostic().WithLocation(4).WithArguments("again", "FileStream", "async method 'CopyAsync'"),
            Verify.Diagnostic().WithLocation(5).WithArguments("entry", "StreamWriter", "async method 'CopyAsync'"),
            Verify.Diagnostic().WithLocation(6).WithArguments("shared", "FileStream", "async method 'CopyAsync'"));

    [Fact]
    public Task StreamsWithoutTheirOwnDisposeAsyncAreQuiet_OnesThatOverrideItAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            // MongoDB's GridFS streams, Kestrel's upgrade stream: Stream's DisposeAsync only calls Dispose().
            class ChunkStream : Stream
            {
                public override bool CanRead => true;
                public override bool CanSeek => false;
                public override bool CanWrite => true;
                public override long Length => 0;
                public override long Position { get => 0; set { } }
                public override void Flush() { }
                public override int Read(byte[] buffer, int offset, int count) => 0;
                public override long Seek(long offset, SeekOrigin origin) => 0;
                public override void SetLength(long value) { }
                public override void Write(byte[] buffer, int offset, int count) { }
            }

            // The twin: a stream whose asynchronous clean-up is its own.
            sealed class UploadStream : ChunkStream
            {
                public override async ValueTask DisposeAsync() => await Task.Yield();
            }

            class Store
            {
                public async Task SaveAsync(byte[] data)
                {
                    using var chunks = new ChunkStream();
                    await chunks.WriteAsync(data);
                    {|#0:using|} var upload = new UploadStream();
                    await upload.WriteAsync(data);
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("upload", "UploadStream", "async method 'SaveAsync'"));

    [Fact]
    public Task ConnectionsDroppedInACatchAreReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connection : IDisposable, IAsyncDisposable
            {
                public Task OpenAsync() => Task.CompletedTask;
                public void Dispose() { }
                public ValueTask DisposeAsync() => default;
            }

            class Recovery
            {
                // RabbitMQ's recovery: closing a connection is a protocol exchange, on the failure path too.
                public async Task<Connection> RecoverAsync()
                {
                    var connection = new Connection();
                    try
                    {
                        await connection.OpenAsync();
                        return connection;
                    }
                    catch
                    {
                        {|#0:connection.Dispose()|};
                        throw;
                    }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("connection", "Connection", "async method 'RecoverAsync'"));

    [Fact]
    public Task CleanupInACatchIsQuiet_TheSamePlainDisposeOnSuccessIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Connector
            {
                public async Task<Stream> ConnectAsync(string path)
                {
                    var stream = new FileStream(path, FileMode.Create);
                    try
                    {
                        await stream.WriteAsync(new byte[] { 1 });
                    }
                    catch
                    {
                        // Npgsql's RawOpen, MQTTnet's connect: the half-made resource is dropped on the way out.
                        stream.Dispose();
                        throw;
                    }
                    return stream;
                }

                public async Task WriteAsync(string path)
                {
                    var stream = new FileStream(path, FileMode.Create);
                    await stream.WriteAsync(new byte[] { 1 });
                    {|#0:stream.Dispose()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("stream", "FileStream", "async method 'WriteAsync'"));

    [Fact]
    public Task TheSynchronousBranchOfADualModeBodyIsQuiet_AnAsyncMethodWithoutAModeIsReported()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Exporter
            {
                private readonly Stream _stream = new MemoryStream();
                private FileStream? _file;

                // Npgsql: one body for Close() and CloseAsync(); the caller picks the mode.
                public async Task Close(bool async)
                {
                    if (_file is null)
                        return;
                    if (async)
                        await _file.DisposeAsync();
                    else
                        _file.Dispose();
                }

                public async Task CloseAsync()
                {
                    await _stream.FlushAsync();
                    _file?{|#0:.Dispose()|};
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("_file", "FileStream", "async method 'CloseAsync'"));

    [Fact]
    public Task Option_CheapDisposeTypes()
        => new Verify.Test
        {
            TestState =
            {
                AnalyzerConfigFiles = { Verify.EditorConfig("dotnet_code_quality.AP4005.cheap_dispose_types = System.IO.FileStream\n") },
                Sources =
                {
                    Usings + """
                    class Writer
                    {
                        public async Task WriteAsync(string path)
                        {
                            using var stream = new FileStream(path, FileMode.Create);
                            await stream.WriteAsync(new byte[1]);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_AwaitUsing_AndDisposeAsync()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Writer
            {
                public async Task WriteAsync(string path, string text)
                {
                    [|using|] var stream = new FileStream(path, FileMode.Create);
                    await stream.WriteAsync(new byte[1]);
                    [|using|] (var writer = new StreamWriter(path + ".txt"))
                        await writer.WriteAsync(text);
                    var other = new FileStream(path + ".bak", FileMode.Create);
                    await other.WriteAsync(new byte[1]);
                    [|other.Dispose()|];
                }
            }
            """, Usings + """
            class Writer
            {
                public async Task WriteAsync(string path, string text)
                {
                    await using var stream = new FileStream(path, FileMode.Create);
                    await stream.WriteAsync(new byte[1]);
                    await using (var writer = new StreamWriter(path + ".txt"))
                        await writer.WriteAsync(text);
                    var other = new FileStream(path + ".bak", FileMode.Create);
                    await other.WriteAsync(new byte[1]);
                    await other.DisposeAsync();
                }
            }
            """);

    // Issue 25: no await can go in a lock body (CS1996), nor an 'await using'.
    [Fact]
    public Task NoFix_InALockBody()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
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
                                [|other.Dispose()|];
                                [|using|] var stream = new FileStream(path + ".bak", FileMode.Create);
                                stream.WriteByte(1);
                            }
                        }
                    }
                    """,
                },
            },
        }.RunAsync();


    private const string Lease = """
        sealed class Lease : IAsyncDisposable, IDisposable
        {
            public int Id { get; } = 1;
            public void Dispose() { }
            public ValueTask DisposeAsync() => default;
        }

        """;

    // Issue 25: where the file awaits with ConfigureAwait(false), the disposal is configured too. A variable used
    // afterwards keeps its own type: it is declared plainly and the code that uses it goes into
    // 'await using (x.ConfigureAwait(false))', which disposes at the same point as before.
    [Fact]
    public Task Fix_ConfiguresTheDisposal_WhereTheFileConfiguresItsAwaits()
        => Verify.VerifyCodeFixAsync(Usings + Lease + """
            class Writer
            {
                public async Task<long> WriteAsync(string path)
                {
                    [|using|] var stream = new FileStream(path, FileMode.Create);
                    await stream.WriteAsync(new byte[1]).ConfigureAwait(false);
                    return stream.Length;
                }

                public async Task CopyAsync(string path, string text)
                {
                    Console.WriteLine(path);
                    [|using|] (var writer = new StreamWriter(path))
                        await writer.WriteAsync(text).ConfigureAwait(false);
                    var other = new FileStream(path + ".bak", FileMode.Create);
                    await other.WriteAsync(new byte[1]).ConfigureAwait(false);
                    [|other.Dispose()|];
                }

                public async Task HoldAsync()
                {
                    [|using|] var lease = new Lease();
                    await Task.Delay(1).ConfigureAwait(false);
                    [|using|] (Lease second = new Lease())
                    {
                        await Task.Delay(1).ConfigureAwait(false);
                    }
                }
            }
            """, Usings + Lease + """
            class Writer
            {
                public async Task<long> WriteAsync(string path)
                {
                    var stream = new FileStream(path, FileMode.Create);
                    await using (stream.ConfigureAwait(false))
                    {
                        await stream.WriteAsync(new byte[1]).ConfigureAwait(false);
                        return stream.Length;
                    }
                }

                public async Task CopyAsync(string path, string text)
                {
                    Console.WriteLine(path);
                    var writer = new StreamWriter(path);
                    await using (writer.ConfigureAwait(false))
                        await writer.WriteAsync(text).ConfigureAwait(false);
                    var other = new FileStream(path + ".bak", FileMode.Create);
                    await other.WriteAsync(new byte[1]).ConfigureAwait(false);
                    await other.DisposeAsync().ConfigureAwait(false);
                }

                public async Task HoldAsync()
                {
                    await using var lease = new Lease().ConfigureAwait(false);
                    await Task.Delay(1).ConfigureAwait(false);
                    await using (var second = new Lease().ConfigureAwait(false))
                    {
                        await Task.Delay(1).ConfigureAwait(false);
                    }
                }
            }
            """);

    // No configured form keeps the behaviour here: a resource that may be null (a using skips it, the configured
    // wrapper would throw at disposal), a second 'stream' in the block that the moved declaration would clash with,
    // a local function after the using that code before it calls. An unconfigured 'await using' would break the
    // file's convention: no fix.
    [Fact]
    public Task NoFix_WhenNoConfiguredFormKeepsTheBehaviour()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Writer
                    {
                        private static Stream? Open(string path) => path.Length > 0 ? new FileStream(path, FileMode.Create) : null;

                        public async Task MaybeAsync(string path)
                        {
                            [|using|] var stream = Open(path);
                            await Task.Delay(1).ConfigureAwait(false);
                        }

                        public async Task TwiceAsync(string path)
                        {
                            [|using|] (var stream = new FileStream(path, FileMode.Create))
                                await stream.WriteAsync(new byte[1]).ConfigureAwait(false);
                            [|using|] (var stream = new FileStream(path + ".bak", FileMode.Create))
                                await stream.WriteAsync(new byte[1]).ConfigureAwait(false);
                        }

                        public async Task LogAsync(string path)
                        {
                            Log();
                            [|using|] var stream = new FileStream(path, FileMode.Create);
                            await stream.WriteAsync(new byte[1]).ConfigureAwait(false);
                            void Log() => Console.WriteLine(path);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // DisposeAsync implemented explicitly cannot be called on the class: 'x.DisposeAsync()' would not compile.
    [Fact]
    public Task NoFix_WhenDisposeAsyncIsAnExplicitImplementation()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    sealed class Hidden : IAsyncDisposable, IDisposable
                    {
                        public void Dispose() { }
                        ValueTask IAsyncDisposable.DisposeAsync() => default;
                    }
                    class Owner
                    {
                        public async Task RunAsync()
                        {
                            var hidden = new Hidden();
                            await Task.Yield();
                            [|hidden.Dispose()|];
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    // ---- A scope from CreateScope() where CreateAsyncScope() exists (issue 29) ----

    /// <summary>Microsoft.Extensions.DependencyInjection.Abstractions 6 and later, as far as the rule and its fix look.</summary>
    internal const string DependencyInjection = """

        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceScope : System.IDisposable { System.IServiceProvider ServiceProvider { get; } }
            public interface IServiceScopeFactory { IServiceScope CreateScope(); }
            public readonly struct AsyncServiceScope : IServiceScope, System.IAsyncDisposable
            {
                private readonly IServiceScope _scope;
                public AsyncServiceScope(IServiceScope scope) => _scope = scope;
                public System.IServiceProvider ServiceProvider => _scope.ServiceProvider;
                public void Dispose() => _scope.Dispose();
                public System.Threading.Tasks.ValueTask DisposeAsync() { _scope.Dispose(); return default; }
            }
            public static class ServiceProviderServiceExtensions
            {
                public static T GetRequiredService<T>(this System.IServiceProvider provider) => (T)provider.GetService(typeof(T))!;
                public static IServiceScope CreateScope(this System.IServiceProvider provider) => provider.GetRequiredService<IServiceScopeFactory>().CreateScope();
                public static AsyncServiceScope CreateAsyncScope(this System.IServiceProvider provider) => new(provider.CreateScope());
                public static AsyncServiceScope CreateAsyncScope(this IServiceScopeFactory factory) => new(factory.CreateScope());
            }
        }
        """;

    private const string Job = """
        public class Job { public Task RunAsync() => Task.CompletedTask; }

        """;

    [Fact]
    public Task Reports_UsingOfCreateScope_WhereCreateAsyncScopeExists()
        => Verify.VerifyAnalyzerAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                private readonly IServiceScopeFactory _scopes;
                private readonly IServiceProvider _services;

                public Worker(IServiceScopeFactory scopes, IServiceProvider services) => (_scopes, _services) = (scopes, services);

                public async Task RunAsync()
                {
                    {|#0:using|} var scope = _scopes.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                    {|#1:using|} (IServiceScope inner = _services.CreateScope())
                        await inner.ServiceProvider.GetRequiredService<Job>().RunAsync();
                }
            }
            """ + DependencyInjection,
            Verify.Diagnostic(SyncDisposeOfAsyncDisposableAnalyzer.ScopeRule).WithLocation(0).WithMessage("'scope' from 'IServiceScopeFactory.CreateScope' is disposed synchronously in async method 'RunAsync': a scope's Dispose blocks on the asynchronous clean-up of its services, and throws for a service that is only IAsyncDisposable; use 'await using' with CreateAsyncScope()"),
            Verify.Diagnostic(SyncDisposeOfAsyncDisposableAnalyzer.ScopeRule).WithLocation(1).WithArguments("inner", "'ServiceProviderServiceExtensions.CreateScope'", "async method 'RunAsync'"));

    /// <summary>
    /// Not reported: synchronous code (no 'await using' to write), 'await using' of CreateAsyncScope(), a scope kept for later,
    /// a CreateScope() of something that is neither a scope factory nor a service provider.
    /// </summary>
    [Fact]
    public Task NoDiagnostic_SyncCode_AsyncScopes_KeptScopes_OtherCreateScopes()
        => Verify.VerifyAnalyzerAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Container
            {
                public IServiceScope CreateScope() => throw new NotSupportedException();
            }
            class Worker
            {
                private readonly IServiceScopeFactory _scopes;
                private IServiceScope? _kept;

                public Worker(IServiceScopeFactory scopes) => _scopes = scopes;

                public void Run()
                {
                    using var scope = _scopes.CreateScope();
                    scope.ServiceProvider.GetRequiredService<Job>().RunAsync().Wait();
                }

                public async Task RunAsync(Container container)
                {
                    await using var scope = _scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                    _kept = _scopes.CreateScope();
                    using var other = container.CreateScope();
                    await Task.Yield();
                }
            }
            """ + DependencyInjection);

    // Before Microsoft.Extensions.DependencyInjection 6 there is no CreateAsyncScope() to write.
    [Fact]
    public Task NoDiagnostic_WithoutCreateAsyncScope()
        => Verify.VerifyAnalyzerAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes)
                {
                    using var scope = scopes.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                }
            }

            namespace Microsoft.Extensions.DependencyInjection
            {
                public interface IServiceScope : System.IDisposable { System.IServiceProvider ServiceProvider { get; } }
                public interface IServiceScopeFactory { IServiceScope CreateScope(); }
                public static class ServiceProviderServiceExtensions
                {
                    public static T GetRequiredService<T>(this System.IServiceProvider provider) => (T)provider.GetService(typeof(T))!;
                }
            }
            """);

    [Fact]
    public Task Fix_CreateAsyncScope_WithAwaitUsing()
        => Verify.VerifyCodeFixAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes, IServiceProvider services)
                {
                    [|using|] var scope = scopes.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                    [|using|] (IServiceScope inner = services.CreateScope())
                        await Run(inner);
                }

                private static Task Run(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
            }
            """ + DependencyInjection, Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes, IServiceProvider services)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                    await using (var inner = services.CreateAsyncScope())
                        await Run(inner);
                }

                private static Task Run(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
            }
            """ + DependencyInjection);

    // In a file that configures its awaits the scope keeps being usable: 'x.ConfigureAwait(false)' wraps a boxed copy of the
    // AsyncServiceScope, which disposes the same scope.
    [Fact]
    public Task Fix_CreateAsyncScope_ConfiguredWhereTheFileConfiguresItsAwaits()
        => Verify.VerifyCodeFixAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes, IServiceProvider services)
                {
                    [|using|] IServiceScope scope = scopes.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync().ConfigureAwait(false);
                }

                public async Task RunEachAsync(IServiceProvider services)
                {
                    Console.WriteLine("start");
                    [|using|] (var scope = services.CreateScope())
                    {
                        await scope.ServiceProvider.GetRequiredService<Job>().RunAsync().ConfigureAwait(false);
                    }
                }
            }
            """ + DependencyInjection, Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes, IServiceProvider services)
                {
                    var scope = scopes.CreateAsyncScope();
                    await using (scope.ConfigureAwait(false))
                    {
                        await scope.ServiceProvider.GetRequiredService<Job>().RunAsync().ConfigureAwait(false);
                    }
                }

                public async Task RunEachAsync(IServiceProvider services)
                {
                    Console.WriteLine("start");
                    var scope = services.CreateAsyncScope();
                    await using (scope.ConfigureAwait(false))
                    {
                        await scope.ServiceProvider.GetRequiredService<Job>().RunAsync().ConfigureAwait(false);
                    }
                }
            }
            """ + DependencyInjection);

    // A plain 'using' of CreateAsyncScope() (reported as any IAsyncDisposable) is configured the same way: a struct, but one whose
    // boxed copy disposes the same scope; a value type is never null.
    [Fact]
    public Task Fix_UsingOfCreateAsyncScope_ConfiguredWhereTheFileConfiguresItsAwaits()
        => Verify.VerifyCodeFixAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes)
                {
                    [|using|] var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<Job>().RunAsync().ConfigureAwait(false);
                }
            }
            """ + DependencyInjection, Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
            class Worker
            {
                public async Task RunAsync(IServiceScopeFactory scopes)
                {
                    var scope = scopes.CreateAsyncScope();
                    await using (scope.ConfigureAwait(false))
                    {
                        await scope.ServiceProvider.GetRequiredService<Job>().RunAsync().ConfigureAwait(false);
                    }
                }
            }
            """ + DependencyInjection);

    /// <summary>
    /// No fix where the local, once an AsyncServiceScope, might not serve as the IServiceScope did (copied into another
    /// local, tested with 'is'), where CreateAsyncScope() does not bind (its namespace not imported), or below C# 8.
    /// </summary>
    [Fact]
    public Task NoFix_CreateScope_WhereTheAsyncScopeMightNotServe()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
                    class Worker
                    {
                        private IServiceScope? _last;

                        public async Task RunAsync(IServiceScopeFactory scopes)
                        {
                            [|using|] var scope = scopes.CreateScope();
                            _last = scope;
                            await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                        }
                    }
                    """ + DependencyInjection,
                    Usings + Job.Replace("class Job", "class Job2") + """
                    class Other
                    {
                        public async Task RunAsync(Microsoft.Extensions.DependencyInjection.IServiceScopeFactory scopes)
                        {
                            [|using|] var scope = scopes.CreateScope();
                            await Task.Yield();
                            Console.WriteLine(scope.ServiceProvider);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoFix_CreateScope_InAUsingStatement_BelowCSharp8()
        => new Verify.Test
        {
            LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3,
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + "using Microsoft.Extensions.DependencyInjection;\n" + Job + """
                    class Worker
                    {
                        public async Task RunAsync(IServiceScopeFactory scopes)
                        {
                            [|using|] (var scope = scopes.CreateScope())
                                await scope.ServiceProvider.GetRequiredService<Job>().RunAsync();
                        }
                    }
                    """ + DependencyInjection.Replace("=> new(", "=> new AsyncServiceScope(").Replace("!;", ";"),
                },
            },
        }.RunAsync();

    [Theory]
    [InlineData("async Task M(IServiceScopeFactory f) { using var s = f.CreateScope(; await Task.Yield(); }")]
    [InlineData("async Task M(IServiceScopeFactory f) { using var s = f.; await Task.Yield(); }")]
    [InlineData("async Task M(Missing f) { using var s = f.CreateScope(); await Task.Yield(); }")]
    [InlineData("async Task M() { using var s = new Missing(); await Task.Yield(); }")]
    [InlineData("async Task M() { using var s = new Pattern(; await Task.Yield(); } class Pattern : IDisposable { public void Dispose() { } public ValueTask DisposeAsync( }")]
    public Task NoCrash_OnHalfTypedScopesAndPatterns(string member)
        => Verify.VerifyNoCrashAsync(Usings + "using Microsoft.Extensions.DependencyInjection;\nclass C { " + member + " }" + DependencyInjection);

    // ---- A DisposeAsync() by pattern without IAsyncDisposable (issue 29) ----

    private const string PatternTypes = """
        // A DisposeAsync() by pattern, as libraries wrote it before IAsyncDisposable reached their targets.
        public sealed class Channel : IDisposable
        {
            public void Dispose() { }
            public ValueTask DisposeAsync() => default;
            public Task SendAsync(string text) => Task.CompletedTask;
        }
        public class Session : IDisposable
        {
            public void Dispose() { }
            public Task DisposeAsync() => Task.CompletedTask;
        }
        public sealed class DerivedSession : Session { }

        """;

    [Fact]
    public Task Reports_UsingOfATypeWithDisposeAsyncByPattern()
        => Verify.VerifyAnalyzerAsync(Usings + PatternTypes + """
            class Sender
            {
                public async Task SendAsync(string text)
                {
                    {|#0:using|} var channel = new Channel();
                    await channel.SendAsync(text);
                    {|#1:using|} (var session = new DerivedSession())
                        await Task.Delay(1);
                }
            }
            """,
            Verify.Diagnostic(SyncDisposeOfAsyncDisposableAnalyzer.PatternRule).WithLocation(0).WithMessage("'channel' (Channel) has a DisposeAsync method but is disposed synchronously in async method 'SendAsync': its asynchronous clean-up never runs; use 'await using', which calls 'Channel.DisposeAsync'"),
            Verify.Diagnostic(SyncDisposeOfAsyncDisposableAnalyzer.PatternRule).WithLocation(1).WithArguments("session", "DerivedSession", "async method 'SendAsync'", "Session.DisposeAsync"));

    /// <summary>
    /// Look-alikes: a DisposeAsync that is not public, takes arguments, returns something else, or implements another interface's
    /// member (xUnit's IAsyncLifetime: a test fixture's hook); the same types in synchronous code, or with 'await using'.
    /// </summary>
    [Fact]
    public Task NoDiagnostic_DisposeAsyncLookAlikes_SyncCode_AwaitUsing()
        => Verify.VerifyAnalyzerAsync(Usings + PatternTypes + """
            public interface IAsyncLifetime { Task InitializeAsync(); Task DisposeAsync(); }
            public sealed class Fixture : IAsyncLifetime, IDisposable
            {
                public Task InitializeAsync() => Task.CompletedTask;
                public Task DisposeAsync() => Task.CompletedTask;
                public void Dispose() { }
            }
            public sealed class Hidden : IDisposable { public void Dispose() { } internal ValueTask DisposeAsync() => default; }
            public sealed class WithFlag : IDisposable { public void Dispose() { } public ValueTask DisposeAsync(bool force) => default; }
            public sealed class Counted : IDisposable { public void Dispose() { } public Task<int> DisposeAsync() => Task.FromResult(0); }
            public sealed class Static : IDisposable { public void Dispose() { } public static ValueTask DisposeAsync() => default; }
            class Sender
            {
                public void Send()
                {
                    using var channel = new Channel();
                }

                public async Task SendAsync()
                {
                    await using var channel = new Channel();
                    using var fixture = new Fixture();
                    using var hidden = new Hidden();
                    using var withFlag = new WithFlag();
                    using var counted = new Counted();
                    using var isStatic = new Static();
                    await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Fix_AwaitUsing_CallsTheDisposeAsyncByPattern()
        => Verify.VerifyCodeFixAsync(Usings + PatternTypes + """
            class Sender
            {
                public async Task SendAsync(string text)
                {
                    [|using|] var channel = new Channel();
                    await channel.SendAsync(text);
                    [|using|] (var session = new Session())
                        await Task.Delay(1);
                }
            }
            """, Usings + PatternTypes + """
            class Sender
            {
                public async Task SendAsync(string text)
                {
                    await using var channel = new Channel();
                    await channel.SendAsync(text);
                    await using (var session = new Session())
                        await Task.Delay(1);
                }
            }
            """);

    // ConfigureAwait(false) configures an IAsyncDisposable only: no configured form exists for a DisposeAsync by pattern, and an
    // unconfigured 'await using' would break the file's convention.
    [Fact]
    public Task NoFix_DisposeAsyncByPattern_WhereTheFileConfiguresItsAwaits()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + PatternTypes + """
                    class Sender
                    {
                        public async Task SendAsync(string text)
                        {
                            [|using|] var channel = new Channel();
                            await channel.SendAsync(text).ConfigureAwait(false);
                        }
                    }
                    """,
                },
            },
        }.RunAsync();
}
