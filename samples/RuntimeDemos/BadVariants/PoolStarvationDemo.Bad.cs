using System.Net.Http;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class PoolStarvationDemo
{
    // Bad variant, on purpose: sync-over-async on a thread-pool thread.
    private static async Task HandleBlockingAsync(HttpClient http, string path)
    {
        await Task.Yield();
        _ = http.GetStringAsync(path).Result; // AP1001
    }
}
