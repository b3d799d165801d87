using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace RuleGallery.Resources;

// AP4005: an IAsyncDisposable disposed with plain using in async code.
public static class Exporter
{
    // Pitfall: disposing flushes the buffered writes synchronously, blocking the thread.
    public static async Task ExportBlockingAsync(string path, string csv)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true); // AP4005
        await file.WriteAsync(Encoding.UTF8.GetBytes(csv));
    }

    // Correct twin.
    public static async Task ExportAsync(string path, string csv)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await file.WriteAsync(Encoding.UTF8.GetBytes(csv));
    }
}
