using System.Net.Http;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4001: a handler created, used, and never disposed or handed over.
public static class HandlerOwnership
{
    // Pitfall: the client does not own the handler (disposeHandler: false), and nobody else does either.
    public static async Task<string> FetchLeakingAsync(HttpClient shared, string url)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false }; // AP4001
        using var client = new HttpMessageInvoker(handler, disposeHandler: false);
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), default);
        return response.StatusCode.ToString();
    }

    // Correct twin: the invoker owns the handler and disposes it with itself.
    public static async Task<string> FetchAsync(string url)
    {
        using var client = new HttpMessageInvoker(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), default);
        return response.StatusCode.ToString();
    }
}
