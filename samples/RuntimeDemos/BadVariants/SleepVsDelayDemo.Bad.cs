using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos;

public sealed partial class SleepVsDelayDemo
{
    // Bad variant, on purpose: the pause blocks a thread-pool thread.
    private static async Task CallSleepCallAsync(HttpClient http, TimeSpan pause, ConcurrencyGauge waiting)
    {
        await http.GetStringAsync("get");
        using (waiting.Enter())
            Thread.Sleep(pause); // AP1002
        await http.GetStringAsync("get");
    }
}
