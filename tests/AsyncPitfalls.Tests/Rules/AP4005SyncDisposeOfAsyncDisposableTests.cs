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
                    {|#1:using|} (var writer = new StreamWriter(stream))
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
                    [|using|] (var writer = new StreamWriter(stream))
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
                    await using (var writer = new StreamWriter(stream))
                        await writer.WriteAsync(text);
                    var other = new FileStream(path + ".bak", FileMode.Create);
                    await other.WriteAsync(new byte[1]);
                    await other.DisposeAsync();
                }
            }
            """);
}
