using System.Net.Http;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class BlockingDemo
{
    // Bad variant, on purpose: async in name only; it blocks before its first await.
    private static async Task<string> FetchWithResultAsync(HttpClient http, string path)
    {
        var body = http.GetStringAsync(path).Result; // AP1001
        await Task.Yield();
        return body;
    }

    // Bad variant, on purpose: the synchronous HttpClient API inside async code.
    private static async Task<string> FetchWithSendAsync(HttpClient http, string path)
    {
        using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, path)); // AP1003
        await Task.Yield();
        return response.StatusCode.ToString();
    }
}
