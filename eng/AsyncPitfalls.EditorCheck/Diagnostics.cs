using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace AsyncPitfalls.EditorCheck;

/// <summary>One LSP diagnostic, as much of it as the check reads; <see cref="Line"/> is zero-based.</summary>
internal sealed record LspDiagnostic(int Line, string Code, int Severity, string Message, JsonNode Json)
{
    public static IReadOnlyList<LspDiagnostic> ListFrom(JsonNode? items) =>
        (items?.AsArray() ?? []).Where(d => d is not null).Select(d => new LspDiagnostic(
            (int?)d!["range"]?["start"]?["line"] ?? -1,
            d["code"] is JsonValue code ? code.ToString() : "",
            (int?)d["severity"] ?? 0,
            (string?)d["message"] ?? "",
            d)).ToList();

    public override string ToString() => $"line {Line + 1} {Code}";
}

/// <summary>The diagnostics of the document at one moment: when the client had them, and which.</summary>
internal sealed record DiagnosticsSnapshot(TimeSpan At, IReadOnlyList<LspDiagnostic> Items);

/// <summary>Where the client gets the open document's diagnostics from.</summary>
internal interface IDiagnosticsSource
{
    /// <summary>The first diagnostics the client gets from now on that satisfy <paramref name="expected"/>.</summary>
    /// <param name="deadline">On the check's clock; past it the check fails, naming <paramref name="what"/>.</param>
    Task<DiagnosticsSnapshot> WaitAsync(Func<IReadOnlyList<LspDiagnostic>, bool> expected, string what, TimeSpan deadline);

    /// <summary>The client sent the document at <paramref name="version"/>.</summary>
    void Changed(int version);
}

/// <summary>
/// Push: the server sends textDocument/publishDiagnostics for open documents when it has them (csharp-ls does so
/// when the client does not offer pull diagnostics). Notifications wait in the connection's queue until read,
/// so one that arrives between a change and the wait that follows it is not lost; its time is its arrival.
/// </summary>
internal sealed class PublishedDiagnostics(LspConnection server, string documentPath, Stopwatch clock) : IDiagnosticsSource
{
    private DiagnosticsSnapshot? _last;
    private int _version = 1;

    public void Changed(int version) => _version = version;

    public async Task<DiagnosticsSnapshot> WaitAsync(Func<IReadOnlyList<LspDiagnostic>, bool> expected, string what, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(Remaining(deadline));
        try
        {
            while (true)
            {
                var (at, method, parameters) = await server.Notifications.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (method != "textDocument/publishDiagnostics" || !IsDocument((string?)parameters?["uri"]))
                    continue;
                // A server that says which version it looked at lets stale results be skipped; csharp-ls sends none,
                // so the expectations are written to tell the states of the document apart by content (each state
                // has a diagnostic no older state has), not by when a publish arrives.
                if (parameters?["version"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && (int)v < _version)
                    continue;
                _last = new DiagnosticsSnapshot(at, LspDiagnostic.ListFrom(parameters?["diagnostics"]));
                if (expected(_last.Items))
                    return _last;
            }
        }
        catch (OperationCanceledException)
        {
            throw new CheckFailedException($"timed out waiting for {what}; {Describe(_last)}");
        }
        catch (ChannelClosedException e)
        {
            // The connection completes the queue with why it stopped reading (see LspConnection.ReadLoopAsync).
            throw new CheckFailedException($"{e.InnerException?.Message ?? "the server stopped"}, while the check waited for {what}; {Describe(_last)}");
        }

        TimeSpan Remaining(TimeSpan until) => until - clock.Elapsed > TimeSpan.Zero ? until - clock.Elapsed : TimeSpan.Zero;
    }

    private bool IsDocument(string? uri) =>
        uri is not null && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile
        && string.Equals(Path.GetFullPath(parsed.LocalPath), Path.GetFullPath(documentPath), StringComparison.Ordinal);

    internal static string Describe(DiagnosticsSnapshot? last) => last is null
        ? "no diagnostics for the document came at all"
        : $"the last diagnostics for the document ({Program.Seconds(last.At)} into the run): "
            + (last.Items.Count == 0 ? "none" : string.Join(", ", last.Items));
}

/// <summary>
/// Pull: the client asks (textDocument/diagnostic) right after each change, and again every 250 ms until the answer
/// shows what is expected. Every request is sent from <see cref="WaitAsync"/>, which the session calls only after
/// its didChange was written (ChangeAsync awaits it; writes are serialized), so each answer is to a question asked
/// after the change; the expectations still tell the document's states apart by content, as for push.
/// </summary>
internal sealed class PulledDiagnostics(LspConnection server, string documentUri, Stopwatch clock) : IDiagnosticsSource
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private DiagnosticsSnapshot? _last;

    public void Changed(int version)
    {
    }

    public async Task<DiagnosticsSnapshot> WaitAsync(Func<IReadOnlyList<LspDiagnostic>, bool> expected, string what, TimeSpan deadline)
    {
        while (true)
        {
            var remaining = deadline - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw new CheckFailedException($"timed out waiting for {what}; {PublishedDiagnostics.Describe(_last)}");
            JsonNode? report;
            try
            {
                report = await server.RequestAsync("textDocument/diagnostic", new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = documentUri },
                }, remaining).ConfigureAwait(false);
            }
            catch (CheckFailedException e)
            {
                throw new CheckFailedException($"{e.Message}, waiting for {what}; {PublishedDiagnostics.Describe(_last)}");
            }

            // "unchanged" repeats the previous full report; this client sends no previousResultId, so it is not expected.
            if ((string?)report?["kind"] == "full" || _last is null)
                _last = new DiagnosticsSnapshot(clock.Elapsed, LspDiagnostic.ListFrom(report?["items"]));
            else
                _last = _last with { At = clock.Elapsed };
            if (expected(_last.Items))
                return _last;
            await Task.Delay(RetryDelay).ConfigureAwait(false);
        }
    }
}
