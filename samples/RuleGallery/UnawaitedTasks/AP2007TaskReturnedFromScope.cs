using System.Net.Http;
using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2007: a task returned from inside using: the client is disposed while the request runs.
public static class StatusClient
{
    // Pitfall: 'using' disposes the client as soon as the task is returned.
    public static Task<string> GetStatusBlocking(string url)
    {
        using var client = new HttpClient(); // AP4002
        return client.GetStringAsync(url); // AP2007
    }

    // Correct twin: the using lasts until the request completes.
    public static async Task<string> GetStatusAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}
