// Drives csharp-ls the way an editor does and checks that the AsyncPitfalls package's diagnostics reach it:
//   dotnet run --project eng/AsyncPitfalls.EditorCheck -- --workspace DIR [--tool-dir DIR] [--mode push|pull]
//       [--rounds N] [--first-timeout S] [--edit-timeout S] [--code-actions] [--log FILE] [-- extra csharp-ls arguments]
// DIR is a restored copy of samples/Adoption (eng/check-editor.sh makes one); --tool-dir is where
// 'dotnet tool run csharp-ls' finds the tool manifest (the repository root). The check:
//   1. starts the server, initializes with analyzers enabled (csharp.analyzersEnabled, answered both in
//      workspace/configuration and pushed in workspace/didChangeConfiguration), opens Orders.Core/OrderService.cs
//      and waits for AP1002 on the line marked "AsyncPitfalls reports AP1002 here";
//   2. each round, types a new Thread.Sleep into another async method (didChange, unsaved, as an editor buffer)
//      and waits for AP1002 on that line, then replaces it with 'await Task.Delay' (plus a '#warning' line naming the
//      round, so the fixed text's diagnostics are told apart from older ones) and waits for it to go away;
//   3. shuts the server down (shutdown, exit) and prints the latencies.
// --code-actions also asks for the code actions at the first AP1002 and prints their titles (not a pass/fail check).
// --mode push: the client does not offer pull diagnostics, so csharp-ls publishes them (textDocument/publishDiagnostics)
// for the open documents; --mode pull: the client offers them and asks (textDocument/diagnostic) after each change,
// as VS Code does. Exit 0 when every wait succeeds, 1 with a message when one fails or times out, 2 on bad usage.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace AsyncPitfalls.EditorCheck;

public static class Program
{
    private const string MarkedLine = "AsyncPitfalls reports AP1002 here";
    private const string InsertBefore = "return \"delivered\";";
    private const string Indent = "        ";
    private const string Pitfall = Indent + "Thread.Sleep(10); // typed by eng/AsyncPitfalls.EditorCheck";
    private const string Fixed = Indent + "await Task.Delay(10, cancellationToken);";

    // Added with the fix, on the line after it: the compiler's CS1030 for it names the round (see RunAsync).
    private static string FixedMarker(int round) => $"#warning round {round} fixed by eng/AsyncPitfalls.EditorCheck";

    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            Console.Error.WriteLine("usage: dotnet run --project eng/AsyncPitfalls.EditorCheck -- --workspace DIR [--tool-dir DIR] "
                + "[--mode push|pull] [--rounds N] [--first-timeout S] [--edit-timeout S] [--code-actions] [--log FILE] [-- csharp-ls arguments]");
            return 2;
        }

        var logPath = options.LogPath ?? Path.Combine(Path.GetTempPath(), $"asyncpitfalls-editor-check-{Environment.ProcessId}.log");
        using var log = new StreamWriter(logPath) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        var arguments = new[] { "tool", "run", "csharp-ls", "--" }.Concat(options.ServerArguments);
        var server = LspConnection.Start("dotnet", arguments, options.ToolDirectory, clock, log);
        Console.WriteLine($"started csharp-ls (dotnet tool run, pid {server.ProcessId}) for {options.Workspace}, {options.Mode} diagnostics; transcript: {logPath}");
        // On SIGTERM (eng/check-editor.sh's timeout and trap send it) the runtime exits without running the finally
        // below; kill the server and everything it started here instead.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => server.Kill());
        try
        {
            await new Session(server, options, clock).RunAsync();
            return 0;
        }
        catch (CheckFailedException e)
        {
            Console.WriteLine($"FAIL after {clock.Elapsed.TotalSeconds:0.0} s: {e.Message}");
            log.Flush();
            Console.WriteLine($"---- the last lines of {logPath}");
            foreach (var line in File.ReadLines(logPath).TakeLast(40))
                Console.WriteLine(line.Length <= 400 ? line : line[..400] + " ...");
            return 1;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private sealed class Session(LspConnection server, Options options, Stopwatch clock)
    {
        private readonly string _documentPath = Path.Combine(options.Workspace, "src", "Orders.Core", "OrderService.cs");
        private readonly List<string> _lines = [];
        private IDiagnosticsSource _diagnostics = null!;
        private bool _incremental;
        private int _version = 1;

        private string DocumentUri => new Uri(_documentPath).AbsoluteUri;

        public async Task RunAsync()
        {
            if (!File.Exists(_documentPath))
                throw new CheckFailedException($"{_documentPath} does not exist; --workspace must be a copy of samples/Adoption");
            _lines.AddRange(File.ReadAllText(_documentPath).Replace("\r\n", "\n").Split('\n'));
            var markedLine = LineOf(MarkedLine);

            server.ServerRequestHandler = AnswerServer;
            // The clock started as the server process was launched.
            var started = TimeSpan.Zero;
            var init = await server.RequestAsync("initialize", InitializeParams(), options.FirstTimeout);
            ReadCapabilities(init);
            await server.NotifyAsync("initialized", new JsonObject());
            await server.NotifyAsync("workspace/didChangeConfiguration", new JsonObject
            {
                ["settings"] = new JsonObject { ["csharp"] = CSharpSettings() },
            });
            _diagnostics = options.Mode == "pull"
                ? new PulledDiagnostics(server, DocumentUri, clock)
                : new PublishedDiagnostics(server, _documentPath, clock);

            var opened = clock.Elapsed;
            await server.NotifyAsync("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject
                {
                    ["uri"] = DocumentUri, ["languageId"] = "csharp", ["version"] = _version, ["text"] = Text(),
                },
            });
            var first = await _diagnostics.WaitAsync(
                d => Has(d, "AP1002", markedLine),
                $"AP1002 on line {markedLine + 1} (the sample's marked Thread.Sleep) after opening the document",
                opened + options.FirstTimeout);
            Console.WriteLine($"ok: AP1002 on line {markedLine + 1} of src/Orders.Core/OrderService.cs, "
                + $"{Seconds(first.At - started)} after the server started ({Seconds(first.At - opened)} after didOpen)");
            Console.WriteLine("   the package's diagnostics in the document: "
                + string.Join(", ", first.Items.Where(d => d.Code.StartsWith("AP", StringComparison.Ordinal)).Select(d => $"{d} ({SeverityName(d.Severity)})")));

            if (options.CodeActions)
                await ReportCodeActionsAsync(first.Items.First(d => d.Code == "AP1002" && d.Line == markedLine));

            var inserted = new List<TimeSpan>();
            var fixedLatencies = new List<TimeSpan>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                var line = LineOf(InsertBefore);
                var sent = await ChangeAsync(line, 0, line, 0, Pitfall + "\n");
                var seen = await _diagnostics.WaitAsync(
                    d => Has(d, "AP1002", line) && Has(d, "AP1002", markedLine),
                    $"round {round}: AP1002 on line {line + 1} after typing 'Thread.Sleep(10);' there",
                    sent + options.EditTimeout);
                inserted.Add(seen.At - sent);
                Console.WriteLine($"ok: round {round}: typed Thread.Sleep on line {line + 1}, AP1002 shown after {Seconds(seen.At - sent)}");

                // The text before the insertion had no AP diagnostic on this line either, and csharp-ls publishes no
                // version, so "no AP1002 here" alone would also pass on a late publish for that older text. The same
                // edit therefore adds a '#warning' naming the round on the next line: only diagnostics computed from
                // the fixed text (or later) have that CS1030, whatever order publishes or answers arrive in.
                var marker = FixedMarker(round);
                sent = await ChangeAsync(line, 0, line, Pitfall.Length, Fixed + "\n" + marker);
                seen = await _diagnostics.WaitAsync(
                    d => !d.Any(x => x.Line == line && x.Code.StartsWith("AP", StringComparison.Ordinal)) && Has(d, "AP1002", markedLine)
                        && d.Any(x => x.Code == "CS1030" && x.Line == line + 1 && x.Message.Contains($"round {round} ", StringComparison.Ordinal)),
                    $"round {round}: no AP diagnostic on line {line + 1} after replacing the Thread.Sleep with 'await Task.Delay' "
                        + $"(and CS1030 for the '{marker}' the same edit added on line {line + 2})",
                    sent + options.EditTimeout);
                fixedLatencies.Add(seen.At - sent);
                Console.WriteLine($"ok: round {round}: replaced it with await Task.Delay, AP1002 gone (the #warning added with it shown) after {Seconds(seen.At - sent)}");

                var errors = seen.Items.Where(x => x.Severity == 1).ToList();
                if (errors.Count > 0)
                    throw new CheckFailedException("the edited document has errors, so the check's edits are wrong: "
                        + string.Join("; ", errors.Select(e => $"line {e.Line + 1} {e.Code} {e.Message}")));
            }

            await ShutdownAsync();
            Console.WriteLine($"latency, server start to the first AP diagnostic: {Seconds(first.At - started)} (didOpen to it: {Seconds(first.At - opened)})");
            Console.WriteLine($"latency, didChange to the new AP1002 shown ({Rounds()}): {Summary(inserted)}");
            Console.WriteLine($"latency, didChange to the fixed AP1002 gone ({Rounds()}): {Summary(fixedLatencies)}");
            Console.WriteLine($"ok: csharp-ls ({options.Mode} diagnostics) showed the package's diagnostics live; total {Seconds(clock.Elapsed)}");
        }

        /// <summary>
        /// What the light bulb would list at the AP1002: reported, not asserted, since docs/editors.md says csharp-ls
        /// offers no code fixes from analyzer packages and a later csharp-ls that does should not fail the check.
        /// </summary>
        private async Task ReportCodeActionsAsync(LspDiagnostic diagnostic)
        {
            var asked = clock.Elapsed;
            var actions = await server.RequestAsync("textDocument/codeAction", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = DocumentUri },
                ["range"] = diagnostic.Json["range"]!.DeepClone(),
                ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(diagnostic.Json.DeepClone()), ["triggerKind"] = 1 },
            }, options.EditTimeout);
            var titles = (actions?.AsArray() ?? []).Select(a => (string?)a?["title"] ?? "").ToList();
            var packageFix = titles.Where(t => t.Contains("Task.Delay", StringComparison.Ordinal)).ToList();
            Console.WriteLine($"   code actions offered at the AP1002 ({Seconds(clock.Elapsed - asked)}): "
                + (titles.Count == 0 ? "none" : string.Join("; ", titles.Select(t => $"'{t}'"))));
            Console.WriteLine(packageFix.Count == 0
                ? "   the package's fix ('Use await Task.Delay') is not among them, as docs/editors.md says"
                : "   NOTE: the package's fix is offered now; docs/editors.md says csharp-ls does not offer it, update it");
        }

        private JsonObject InitializeParams()
        {
            var root = new Uri(Path.TrimEndingDirectorySeparator(options.Workspace)).AbsoluteUri;
            var textDocument = new JsonObject
            {
                ["synchronization"] = new JsonObject { ["dynamicRegistration"] = false, ["didSave"] = true },
                ["publishDiagnostics"] = new JsonObject { ["relatedInformation"] = true, ["versionSupport"] = true },
                ["codeAction"] = new JsonObject
                {
                    ["dynamicRegistration"] = false,
                    ["codeActionLiteralSupport"] = new JsonObject
                    {
                        ["codeActionKind"] = new JsonObject { ["valueSet"] = new JsonArray("", "quickfix", "refactor", "source") },
                    },
                },
            };
            if (options.Mode == "pull")
                textDocument["diagnostic"] = new JsonObject { ["dynamicRegistration"] = false, ["relatedDocumentSupport"] = false };
            return new JsonObject
            {
                ["processId"] = Environment.ProcessId,
                ["clientInfo"] = new JsonObject { ["name"] = "AsyncPitfalls.EditorCheck" },
                ["rootUri"] = root,
                ["rootPath"] = options.Workspace,
                ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = root, ["name"] = Path.GetFileName(options.Workspace) }),
                ["capabilities"] = new JsonObject
                {
                    ["workspace"] = new JsonObject
                    {
                        ["configuration"] = true,
                        ["workspaceFolders"] = true,
                        ["didChangeConfiguration"] = new JsonObject { ["dynamicRegistration"] = false },
                        ["diagnostics"] = new JsonObject { ["refreshSupport"] = options.Mode == "pull" },
                    },
                    ["textDocument"] = textDocument,
                },
            };
        }

        private string Rounds() => options.Rounds == 1 ? "1 round" : $"{options.Rounds} rounds";

        private static JsonObject CSharpSettings() => new() { ["analyzersEnabled"] = true };

        private void ReadCapabilities(JsonNode? init)
        {
            var capabilities = init?["capabilities"] ?? throw new CheckFailedException("initialize returned no capabilities");
            // TextDocumentSyncKind: 1 full text, 2 incremental; either as a number or in an options object.
            var sync = capabilities["textDocumentSync"];
            var kind = sync is JsonValue ? (int?)sync : (int?)sync?["change"];
            _incremental = kind == 2;
            if (kind is not (1 or 2))
                throw new CheckFailedException($"the server does not take document changes (textDocumentSync: {sync?.ToJsonString() ?? "none"})");
            if (options.Mode == "pull" && capabilities["diagnosticProvider"] is null)
                throw new CheckFailedException("--mode pull, but the server offers no diagnosticProvider");
            var name = init?["serverInfo"]?["name"];
            var version = init?["serverInfo"]?["version"];
            Console.WriteLine($"initialized: {name} {version}, {(_incremental ? "incremental" : "full")} document sync");
        }

        private JsonNode? AnswerServer(string method, JsonNode? parameters)
        {
            switch (method)
            {
                case "workspace/configuration":
                    var answers = new JsonArray();
                    foreach (var item in parameters?["items"]?.AsArray() ?? [])
                    {
                        answers.Add((string?)item?["section"] switch
                        {
                            "csharp" => CSharpSettings(),
                            null => new JsonObject { ["csharp"] = CSharpSettings() },
                            _ => null,
                        });
                    }

                    return answers;
                default:
                    // client/registerCapability, window/workDoneProgress/create, workspace/diagnostic/refresh (this client
                    // asks again after each change anyway) and the like: accepted, nothing to answer.
                    return null;
            }
        }

        /// <summary>Replaces the range with the text in the buffer and tells the server; returns when it was sent.</summary>
        private async Task<TimeSpan> ChangeAsync(int startLine, int startCharacter, int endLine, int endCharacter, string text)
        {
            var before = _lines[startLine][..startCharacter];
            var after = _lines[endLine][endCharacter..];
            var replacement = (before + text + after).Split('\n');
            _lines.RemoveRange(startLine, endLine - startLine + 1);
            _lines.InsertRange(startLine, replacement);
            _version++;

            JsonObject change = _incremental
                ? new JsonObject
                {
                    ["range"] = new JsonObject { ["start"] = Position(startLine, startCharacter), ["end"] = Position(endLine, endCharacter) },
                    ["text"] = text,
                }
                : new JsonObject { ["text"] = Text() };
            var sent = clock.Elapsed;
            await server.NotifyAsync("textDocument/didChange", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = DocumentUri, ["version"] = _version },
                ["contentChanges"] = new JsonArray(change),
            });
            _diagnostics.Changed(_version);
            return sent;
        }

        private async Task ShutdownAsync()
        {
            await server.RequestAsync("shutdown", null, TimeSpan.FromSeconds(30));
            await server.NotifyAsync("exit", null);
            if (!await server.WaitForExitOrKillAsync(TimeSpan.FromSeconds(30)))
                throw new CheckFailedException("the server did not exit within 30 s of 'exit' and was killed");
            Console.WriteLine("ok: the server shut down on shutdown/exit");
        }

        private int LineOf(string text)
        {
            var index = _lines.FindIndex(l => l.Contains(text, StringComparison.Ordinal));
            return index >= 0 ? index : throw new CheckFailedException($"no line of {_documentPath} contains '{text}'");
        }

        private string Text() => string.Join("\n", _lines);

        private static JsonObject Position(int line, int character) => new() { ["line"] = line, ["character"] = character };

        private static bool Has(IReadOnlyList<LspDiagnostic> diagnostics, string code, int line) =>
            diagnostics.Any(d => d.Code == code && d.Line == line);
    }

    private static string SeverityName(int severity) => severity switch
    {
        1 => "error",
        2 => "warning",
        3 => "information",
        4 => "hint",
        _ => "no severity",
    };

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Summary(List<TimeSpan> latencies)
    {
        var sorted = latencies.OrderBy(t => t).ToList();
        var median = sorted[sorted.Count / 2];
        return $"median {Seconds(median)}, min {Seconds(sorted[0])}, max {Seconds(sorted[^1])} "
            + $"({string.Join(", ", latencies.Select(Seconds))})";
    }

    private sealed record Options(
        string Workspace, string ToolDirectory, string Mode, int Rounds, TimeSpan FirstTimeout, TimeSpan EditTimeout,
        bool CodeActions, string? LogPath, IReadOnlyList<string> ServerArguments)
    {
        public static Options Parse(string[] args)
        {
            string? workspace = null, logPath = null;
            var toolDirectory = Directory.GetCurrentDirectory();
            var mode = "push";
            var rounds = 3;
            var codeActions = false;
            double firstTimeout = 180, editTimeout = 60;
            var serverArguments = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                double SecondsValue() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s < 1e6 ? s
                    : throw new ArgumentException($"{args[i - 1]} takes a number of seconds (more than 0, less than 1e6), not '{args[i]}'");
                switch (args[i])
                {
                    case "--workspace": workspace = Path.GetFullPath(Value()); break;
                    case "--tool-dir": toolDirectory = Path.GetFullPath(Value()); break;
                    case "--mode": mode = Value(); break;
                    case "--rounds":
                        rounds = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                            : throw new ArgumentException($"--rounds takes a whole number, not '{args[i]}'");
                        break;
                    case "--first-timeout": firstTimeout = SecondsValue(); break;
                    case "--edit-timeout": editTimeout = SecondsValue(); break;
                    case "--code-actions": codeActions = true; break;
                    case "--log": logPath = Path.GetFullPath(Value()); break;
                    case "--": serverArguments.AddRange(args[(i + 1)..]); i = args.Length; break;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }

            if (workspace is null)
                throw new ArgumentException("--workspace is required");
            if (mode is not ("push" or "pull"))
                throw new ArgumentException("--mode is push or pull");
            if (rounds < 1)
                throw new ArgumentException("--rounds is at least 1");
            return new Options(workspace, toolDirectory, mode, rounds, TimeSpan.FromSeconds(firstTimeout),
                TimeSpan.FromSeconds(editTimeout), codeActions, logPath, serverArguments);
        }
    }
}
