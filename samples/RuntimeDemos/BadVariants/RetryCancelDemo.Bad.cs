using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class RetryCancelDemo
{
    // Bad variant, on purpose: the guides' naive retry, catching everything and sleeping without the token.
    private static async Task<string> GetWithRetryCatchingAllAsync(HttpClient http, string path, TimeSpan backoff, AttemptCounter attempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            attempts.Add();
            try
            {
                return await http.GetStringAsync(path, cancellationToken);
            }
            catch (Exception) when (attempt < Attempts) // AP5002
            {
                await Task.Delay(backoff * Math.Pow(2, attempt - 1)); // AP5003
            }
        }
    }
}
