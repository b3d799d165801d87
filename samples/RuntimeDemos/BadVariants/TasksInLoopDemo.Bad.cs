using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class TasksInLoopDemo
{
    // Bad variant, on purpose: the tasks are collected, and the method returns without them.
    private static async Task DownloadAllForgettingAsync(HttpClient http, string path, ResultCounter results)
    {
        var downloads = new List<Task>();
        for (var i = 0; i < Downloads; i++)
            downloads.Add(DownloadAsync(http, path, results, CancellationToken.None)); // AP2003
        await Task.Yield();
    }
}
