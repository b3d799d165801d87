using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5003: a token in scope that a call could take, and does not get.
public static class ReportArchive
{
    // Pitfall: cancelling stops neither the read nor the pause.
    public static async Task<string> LoadBlockingAsync(string path, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(path); // AP5003
        await Task.Delay(100); // AP5003
        return text;
    }

    // Correct twin.
    public static async Task<string> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        await Task.Delay(100, cancellationToken);
        return text;
    }
}
