using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP2004. An exception escaping an async void method is rethrown where nothing can catch it, and
/// the process ends. The crashing variant runs in a child process (this program, started again with
/// <see cref="ChildArgument"/>), so the demo survives to report its exit code.
/// </summary>
public sealed partial class AsyncVoidDemo : IDemo
{
    /// <summary>The hidden argument that makes this program run the crashing variant and nothing else.</summary>
    public const string ChildArgument = "--child-async-void-crash";

    public string Name => "async-void";
    public string Group => "pitfalls";
    public string Description => "an exception in async void ends the process (run in a child process); in async Task the caller catches it";
    public string Rules => "AP2004";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var caught = false;
        try
        {
            await SyncNowAsync();
        }
        catch (InvalidOperationException)
        {
            caught = true;
        }

        var (exitCode, crashed) = await RunChildAsync(cancellationToken);

        var report = new DemoReport("variant", "what happened", "process exit code");
        report.AddRow("async void throws (AP2004)", crashed ? "unhandled exception, process ended" : "no crash seen", exitCode.ToString(CultureInfo.InvariantCulture));
        report.AddRow("async Task throws", caught ? "caller caught it" : "not caught", "0 (still running)");
        report.Harm("async void",
            Check.Observed("async void: unhandled exception reported by the child", crashed),
            new Check("async void: child process exit code", exitCode.ToString(CultureInfo.InvariantCulture), "not 0", exitCode != 0));
        return report.ConcludePitfall(
            $"The async void exception ended its process (exit code {exitCode}); the async Task one reached the caller's catch.",
            Check.Observed("async Task: the caller caught the exception", caught));
    }

    // Good variant: the failure travels in the task to whoever awaits it.
    private static async Task SyncNowAsync()
    {
        await Task.Yield();
        throw new InvalidOperationException("sync failed");
    }

    /// <summary>Runs in the child process: starts the async void method and waits for the crash.</summary>
    public static async Task<int> RunCrashingChildAsync()
    {
        SyncNow();
        await Task.Delay(TimeSpan.FromSeconds(10));
        return 0; // Not reached: the exception ends the process first.
    }

    private static async Task<(int ExitCode, bool Crashed)> RunChildAsync(CancellationToken cancellationToken)
    {
        // Run this app again: directly when this process is its own executable; otherwise (under 'dotnet
        // RuntimeDemos.dll', or inside a test host) through the dotnet host, naming the app first.
        var app = typeof(AsyncVoidDemo).Assembly.Location;
        var self = Environment.ProcessPath!;
        var runsItself = Path.GetFileNameWithoutExtension(self) == Path.GetFileNameWithoutExtension(app);
        var host = Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(runsItself ? self : host) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (!runsItself)
            start.ArgumentList.Add(app);
        start.ArgumentList.Add(ChildArgument);

        using var child = Process.Start(start)!;
        var errors = child.StandardError.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        var text = await errors;
        return (child.ExitCode, text.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
