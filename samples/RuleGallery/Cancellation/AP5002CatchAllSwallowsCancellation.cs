using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5002: a retry loop whose catch-all retries a cancelled call.
public sealed class RetryingClient
{
    private readonly HttpClient _http;

    public RetryingClient(HttpClient http) => _http = http;

    // Pitfall: cancelling this call makes it retry, back off and retry again.
    public async Task<string> GetBlockingAsync(string url, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _http.GetStringAsync(url, cancellationToken);
            }
            catch (Exception) when (attempt < 3) // AP5002
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }

    // Correct twin: failures are retried, cancellation is not.
    public async Task<string> GetAsync(string url, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _http.GetStringAsync(url, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }
}
