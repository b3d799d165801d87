using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace AsyncPitfalls.EditorCheck;

/// <summary>
/// JSON-RPC over a language server's stdin/stdout with the base protocol's Content-Length framing.
/// Answers the server's own requests through <see cref="ServerRequestHandler"/> and hands every
/// notification to <see cref="Notifications"/>.
/// </summary>
internal sealed class LspConnection : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly Channel<(TimeSpan At, string Method, JsonNode? Params)> _notifications =
        Channel.CreateUnbounded<(TimeSpan, string, JsonNode?)>();
    private readonly Stopwatch _clock;
    private readonly TextWriter _log;
    private readonly Task _reader;
    private readonly Task _stderrReader;
    private int _nextId;
    private string? _stopped; // why the reader stopped; set, like _pending's entries, under lock (_pending)

    private LspConnection(Process process, Stopwatch clock, TextWriter log)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        _clock = clock;
        _log = log;
        _reader = Task.Run(ReadLoopAsync);
        _stderrReader = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null)
                Log("stderr", line);
        });
    }

    /// <summary>Answers a request the server sends to the client (method, params) with a result.</summary>
    public Func<string, JsonNode?, JsonNode?> ServerRequestHandler { get; set; } = (_, _) => null;

    public ChannelReader<(TimeSpan At, string Method, JsonNode? Params)> Notifications => _notifications.Reader;

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public static LspConnection Start(string fileName, IEnumerable<string> arguments, string workingDirectory, Stopwatch clock, TextWriter log)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new LspConnection(process, clock, log);
    }

    public async Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId);
        var completion = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending)
        {
            // Nothing would answer it: fail now rather than at the timeout.
            if (_stopped is not null)
                throw new CheckFailedException($"no answer to {method}: {_stopped}");
            _pending[id] = completion;
        }

        await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }).ConfigureAwait(false);
        try
        {
            return await completion.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new CheckFailedException($"no answer to {method} within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public Task NotifyAsync(string method, JsonNode? parameters) =>
        SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    /// <summary>Waits for the server to exit; kills it and everything it started when it does not.</summary>
    public async Task<bool> WaitForExitOrKillAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(_reader, _stderrReader), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _process.Dispose();
        _writeLock.Dispose();
    }

    private async Task SendAsync(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _input.WriteAsync(header).ConfigureAwait(false);
            await _input.WriteAsync(body).ConfigureAwait(false);
            await _input.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        Log("send", Describe(message));
    }

    private async Task ReadLoopAsync()
    {
        string stopped;
        try
        {
            while (await ReadMessageAsync().ConfigureAwait(false) is { } body)
            {
                // LSP messages are JSON objects; anything else (a batch array, a bare value) is not one to act on.
                if (JsonNode.Parse(body) is JsonObject message)
                    await DispatchAsync(message).ConfigureAwait(false);
                else
                    Log("read", "skipped a message that is not a JSON object: " + Shorten(Encoding.UTF8.GetString(body)));
            }

            stopped = "the server closed its stdout";
        }
        catch (Exception e)
        {
            // Whatever stops the reading (broken framing, JSON that does not parse, a message of an unexpected
            // shape) leaves the check nothing to wait for: every wait below fails now, saying why.
            stopped = $"reading the server's messages failed ({e.GetType().Name}: {e.Message})";
        }

        Log("read", "stopped: " + stopped);
        List<TaskCompletionSource<JsonNode?>> pending;
        lock (_pending)
        {
            _stopped = stopped;
            pending = [.. _pending.Values];
        }

        _notifications.Writer.TryComplete(new CheckFailedException(stopped));
        foreach (var completion in pending)
            completion.TrySetException(new CheckFailedException(stopped));
    }

    /// <summary>The body of the next message, or null when stdout ends between messages.</summary>
    private async Task<byte[]?> ReadMessageAsync()
    {
        int? length = null;
        while (true)
        {
            var line = await ReadHeaderLineAsync().ConfigureAwait(false);
            if (line is null)
                return null;
            if (line.Length == 0)
                break;
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                length = int.Parse(line[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (length is null)
            throw new FormatException("a message without Content-Length");
        var body = new byte[length.Value];
        await _output.ReadExactlyAsync(body).ConfigureAwait(false);
        return body;
    }

    // Header lines are ASCII and end in CRLF; read byte by byte so no body bytes are buffered away.
    private async Task<string?> ReadHeaderLineAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await _output.ReadAsync(one).ConfigureAwait(false) == 0)
                return bytes.Count == 0 ? null : throw new IOException("stdout ended inside a header");
            if (one[0] == (byte)'\n')
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            bytes.Add(one[0]);
        }
    }

    private async Task DispatchAsync(JsonObject message)
    {
        var at = _clock.Elapsed;
        var method = (string?)message["method"];
        var hasId = message.TryGetPropertyValue("id", out var id) && id is not null;
        Log("recv", Describe(message));
        if (method is null && hasId)
        {
            if (id!.GetValueKind() == JsonValueKind.Number && _pending.TryGetValue((int)id, out var completion))
            {
                if (message["error"] is { } error)
                    completion.TrySetException(new CheckFailedException($"the server answered with an error: {error.ToJsonString()}"));
                else
                    completion.TrySetResult(message["result"]?.DeepClone());
            }
        }
        else if (method is not null && hasId)
        {
            var result = ServerRequestHandler(method, message["params"]);
            await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id!.DeepClone(), ["result"] = result }).ConfigureAwait(false);
        }
        else if (method is not null)
        {
            await _notifications.Writer.WriteAsync((at, method, message["params"]?.DeepClone())).ConfigureAwait(false);
        }
    }

    private static string Describe(JsonObject message) => Shorten(message.ToJsonString());

    private static string Shorten(string text) => text.Length <= 20000 ? text : text[..20000] + $"... ({text.Length} chars)";

    private void Log(string kind, string text)
    {
        lock (_log)
            _log.WriteLine($"{_clock.Elapsed.TotalSeconds,8:0.000} {kind,-6} {text}");
    }
}

/// <summary>A check that did not pass; the message says what was expected and what happened.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);
