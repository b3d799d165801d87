using System;
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
/// <c>/delay/{seconds}</c>, <c>/bytes/{n}</c>, <c>/status/{code}</c>, <c>/get</c>. It counts the TCP
/// connections it accepts, so demos can show connection reuse.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
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
            return next(context);
        });
        app.MapGet("/delay/{seconds:double}", async (double seconds, CancellationToken requestAborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 30)), requestAborted);
            return Results.Json(new DelayReply(seconds));
        });
        app.MapGet("/bytes/{n:int}", (int n) => Results.Bytes(DeterministicBytes(Math.Clamp(n, 0, 16 * 1024 * 1024)), "application/octet-stream"));
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
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

    private sealed record GetReply(string Path, string UserAgent);
}
