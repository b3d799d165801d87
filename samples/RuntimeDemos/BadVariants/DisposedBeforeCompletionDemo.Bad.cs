using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class DisposedBeforeCompletionDemo
{
    // Bad variant, on purpose: the session is disposed as soon as the task is returned.
    private static Task<string> FetchReturningTask(HttpClient http, string path)
    {
        using var session = new Session(http);
        return session.FetchAsync(path, CancellationToken.None); // AP2007
    }
}
