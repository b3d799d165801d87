using System;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Infrastructure;

/// <summary>One runnable demo: a claim about run-time behaviour, measured.</summary>
public interface IDemo
{
    /// <summary>The name it is run by: <c>dotnet run -- sleep-vs-delay</c>.</summary>
    string Name { get; }

    /// <summary>The catalog group (for example "pitfalls").</summary>
    string Group { get; }

    /// <summary>One line for <c>--list</c>.</summary>
    string Description { get; }

    /// <summary>The rules that flag the bad variant, for the listing.</summary>
    string Rules { get; }

    Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken);
}

/// <summary>What every demo gets: the shared loopback server, the time scale and the output.</summary>
public sealed class DemoContext
{
    public DemoContext(LoopbackServer server, double scale, ConsoleOutput output)
    {
        Server = server;
        Scale = scale;
        Output = output;
    }

    public LoopbackServer Server { get; }

    /// <summary>Multiplies every delay: <c>--scale 0.1</c> runs the catalog ten times faster.</summary>
    public double Scale { get; }

    public ConsoleOutput Output { get; }

    public TimeSpan Scaled(TimeSpan duration) => TimeSpan.FromTicks((long)(duration.Ticks * Scale));

    /// <summary>A client for the loopback server; demos about client lifetime make their own.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = Server.BaseAddress };

    /// <summary>The server path that answers after <paramref name="delay"/>: <c>delay/0.3</c>.</summary>
    public static string DelayPath(TimeSpan delay) => "delay/" + delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
