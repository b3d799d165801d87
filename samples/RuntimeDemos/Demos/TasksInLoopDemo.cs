using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

/// <summary>
/// AP2003. Ten downloads started in a loop and collected: awaited with Task.WhenAll, every result is
/// there when the method returns; never awaited, none is.
/// </summary>
public sealed partial class TasksInLoopDemo : IDemo
{
    private const int Downloads = 10;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);

    public string Name => "tasks-in-loop";
    public string Group => "pitfalls";
    public string Description => $"{Downloads} downloads started in a loop: collected and never awaited versus Task.WhenAll";
    public string Rules => "AP2003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var http = context.CreateClient();
        var path = DemoContext.DelayPath(context.Scaled(Latency));

        var awaited = new ResultCounter();
        await DownloadAllAsync(http, path, awaited, cancellationToken);
        var awaitedAtReturn = awaited.Count;

        var forgotten = new ResultCounter();
        await DownloadAllForgettingAsync(http, path, forgotten);
        var forgottenAtReturn = forgotten.Count;

        var report = new DemoReport("variant", "results when the method returned");
        report.AddRow("tasks collected, never awaited (AP2003)", $"{forgottenAtReturn} of {Downloads}");
        report.AddRow("await Task.WhenAll(tasks)", $"{awaitedAtReturn} of {Downloads}");
        report.Harm("tasks collected, never awaited", Check.AtMost("never awaited: results in at return", forgottenAtReturn, Downloads - 1));
        return report.ConcludePitfall(
            $"With Task.WhenAll all {Downloads} results were in; without it, {forgottenAtReturn} were, and the rest ran on unobserved.",
            Check.Exactly("Task.WhenAll: results in at return", awaitedAtReturn, Downloads));
    }

    // Good variant.
    private static async Task DownloadAllAsync(HttpClient http, string path, ResultCounter results, CancellationToken cancellationToken)
    {
        var downloads = new List<Task>();
        for (var i = 0; i < Downloads; i++)
            downloads.Add(DownloadAsync(http, path, results, cancellationToken));
        await Task.WhenAll(downloads);
    }

    private static async Task DownloadAsync(HttpClient http, string path, ResultCounter results, CancellationToken cancellationToken)
    {
        await http.GetStringAsync(path, cancellationToken);
        results.Add();
    }

    private sealed class ResultCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }
}
