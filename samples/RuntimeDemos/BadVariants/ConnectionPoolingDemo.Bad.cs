using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class ConnectionPoolingDemo
{
    // Bad variant, on purpose: disposed correctly, and still a new connection every time.
    private static async Task SequentialPerRequestAsync(Uri baseAddress)
    {
        for (var i = 0; i < Requests; i++)
        {
            using var client = new HttpClient { BaseAddress = baseAddress }; // AP4002
            await client.GetStringAsync("get");
        }
    }
}
