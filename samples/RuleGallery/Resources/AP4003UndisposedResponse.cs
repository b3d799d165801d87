using System.Net.Http;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4003: a response inspected and dropped.
public static class HealthProbe
{
    // Pitfall: the connection stays busy until the response is collected.
    public static async Task<bool> IsHealthyLeakingAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(url); // AP4003
        return response.IsSuccessStatusCode;
    }

    // Correct twin.
    public static async Task<bool> IsHealthyAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        return response.IsSuccessStatusCode;
    }
}
