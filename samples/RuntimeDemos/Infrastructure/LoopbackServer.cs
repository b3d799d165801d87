using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RuntimeDemos.Infrastructure;

/// <summary>
/// A small HTTP server on 127.0.0.1 (a free port) in the spirit of the guides' test server:
/// <c>/delay/{seconds}</c>, <c>/bytes/{n}</c>, <c>/status/{code}</c>, <c>/get</c>; plus
/// <c>/flaky/{key}/{failures}/{code}</c> (answers <c>code</c> the first <c>failures</c> times per key, then 200),
/// <c>/pages/{page}?size=&amp;total=&amp;delay=</c> (a paginated API with a next-page link), and
/// <c>/site/{name}/...</c>, which serves the rest of the path as if from another site (for per-host politeness).
/// It counts the TCP connections it accepts and the requests it serves, so demos can show reuse and fail-fast.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _flakyCalls = new(StringComparer.Ordinal);
    private int _acceptedConnections;
    private int _requests;

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>TCP connections accepted since the server started.</summary>
    public int AcceptedConnections => Volatile.Read(ref _acceptedConnections);

    /// <summary>HTTP requests served since the server started.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LoopbackServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        LoopbackServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server!._acceptedConnections);
                return next(connection);
            })));

        var app = builder.Build();
        server = new LoopbackServer(app);
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref server._requests);
            // /site/{name}/rest is served as /rest: one server standing in for several sites.
            var segments = (context.Request.Path.Value ?? "/").Split('/', 4, StringSplitOptions.None);
            if (segments is ["", "site", _, var rest])
                context.Request.Path = "/" + rest;
            return next(context);
        });
        // Route after the rewrite above (otherwise WebApplication routes first, on the original path).
        app.UseRouting();
        app.MapGet("/delay/{seconds:double}", async (double seconds, CancellationToken requestAborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 30)), requestAborted);
            return Results.Json(new DelayReply(seconds));
        });
        app.MapGet("/bytes/{n:int}", (int n) => Results.Bytes(DeterministicBytes(Math.Clamp(n, 0, 16 * 1024 * 1024)), "application/octet-stream"));
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.MapGet("/flaky/{key}/{failures:int}/{code:int}", (string key, int failures, int code) =>
        {
            var call = server._flakyCalls.AddOrUpdate(key, 1, (_, n) => n + 1);
            return call <= failures ? Results.StatusCode(code) : Results.Json(new FlakyReply(key, call));
        });
        app.MapGet("/pages/{page:int}", async (int page, int? size, int? total, double? delay, CancellationToken requestAborted) =>
        {
            var pageSize = Math.Clamp(size ?? 5, 1, 100);
            var count = Math.Clamp(total ?? 23, 0, 10_000);
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(delay ?? 0, 0, 5)), requestAborted);
            var first = page * pageSize;
            var items = Enumerable.Range(first, Math.Max(0, Math.Min(pageSize, count - first))).ToArray();
            return Results.Json(new PageReply(items, first + pageSize < count ? page + 1 : null));
        });
        app.MapGet("/get", (HttpRequest request) => Results.Json(new GetReply(request.Path.Value ?? "/", request.Headers.UserAgent.ToString())));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static byte[] DeterministicBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    private sealed record DelayReply(double Delayed);

    private sealed record FlakyReply(string Key, int Call);

    /// <summary>One page of the paginated API: its items and the next page, or null on the last.</summary>
    public sealed record PageReply(int[] Items, int? Next);

    private sealed record GetReply(string Path, string UserAgent);
}
