using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP2007. A session (the guides' ClientSession) used inside <c>using</c>: returning its task without
/// await disposes the session while the request is still out, and the request fails; with
/// <c>return await</c> the session lives until the response is in.
/// </summary>
public sealed partial class DisposedBeforeCompletionDemo : IDemo
{
    private const string Received = "response received";
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);

    public string Name => "disposed-before-completion";
    public string Group => "pitfalls";
    public string Description => "a task returned from inside 'using' without await: the session closes before the response arrives";
    public string Rules => "AP2007";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var http = context.CreateClient();
        var path = DemoContext.DelayPath(context.Scaled(Latency));

        var awaited = await OutcomeAsync(() => FetchAsync(http, path, cancellationToken));
        var returned = await OutcomeAsync(() => FetchReturningTask(http, path));

        var report = new DemoReport("variant", "outcome");
        report.AddRow("return session.FetchAsync() inside using (AP2007)", returned);
        report.AddRow("return await session.FetchAsync()", awaited);
        report.Harm("return session.FetchAsync() inside using",
            Check.Observed("without await: ObjectDisposedException", returned != Received, "observed", "not observed: " + returned));
        return report.ConcludePitfall(
            $"Returned without await, the request failed ({returned}); awaited, it completed.",
            Check.Observed("return await: response received", awaited == Received, "yes", "no: " + awaited));
    }

    // Good variant: the using lasts as long as the request.
    private static async Task<string> FetchAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var session = new Session(http);
        return await session.FetchAsync(path, cancellationToken);
    }

    private static async Task<string> OutcomeAsync(Func<Task<string>> fetch)
    {
        try
        {
            await fetch();
            return Received;
        }
        catch (ObjectDisposedException)
        {
            return "ObjectDisposedException: session closed mid-request";
        }
    }

    /// <summary>A session that refuses to hand out a response once it has been closed.</summary>
    private sealed class Session : IDisposable
    {
        private readonly HttpClient _http;
        private bool _disposed;

        public Session(HttpClient http) => _http = http;

        public async Task<string> FetchAsync(string path, CancellationToken cancellationToken)
        {
            var body = await _http.GetStringAsync(path, cancellationToken);
            ObjectDisposedException.ThrowIf(_disposed, this);
            return body;
        }

        public void Dispose() => _disposed = true;
    }
}
